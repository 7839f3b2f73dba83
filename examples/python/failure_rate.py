#!/usr/bin/python3
"""Weekly failure rate of a repository's workflow runs: SQL into pandas, plotted to a PNG.

Usage: failure_rate.py OWNER REPO [--branch main] [--since 2026-06-01] [--out failure_rate.png]
                       [--extension stacklite]

Needs Debian's python3-pandas and python3-matplotlib, the extension installed (or
--extension ./build/stacklite), and GITHUB_TOKEN for private repositories.
"""
import argparse
import sqlite3

import matplotlib

matplotlib.use("Agg")  # write files; no display needed
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

# owner, repo, branch and the created_at bound go to the API; SQLite groups by week
# (the Monday on or before each run's creation day, UTC).
WEEKLY_FAILURE_RATE = """
SELECT date(created_at, '-6 days', 'weekday 1') AS week,
       count(*) AS completed,
       sum(conclusion IN ('failure', 'timed_out')) AS failed,
       round(100.0 * sum(conclusion IN ('failure', 'timed_out')) / count(*), 1) AS failure_pct
  FROM workflow_runs
 WHERE owner = :owner AND repo = :repo AND head_branch = :branch
   AND created_at >= :since AND status = 'completed'
 GROUP BY week
 ORDER BY week
"""


def connect(extension="stacklite"):
    conn = sqlite3.connect(":memory:")
    conn.enable_load_extension(True)
    conn.load_extension(extension)
    conn.enable_load_extension(False)
    return conn


def weekly_failure_rate(conn, owner, repo, branch="main", since="2026-06-01"):
    params = {"owner": owner, "repo": repo, "branch": branch, "since": since}
    return pd.read_sql_query(WEEKLY_FAILURE_RATE, conn, params=params, parse_dates=["week"])


def plot(df, title, path):
    fig, ax = plt.subplots(figsize=(8, 3.5), dpi=100)
    ax.bar(df["week"], df["failure_pct"], width=5, color="#d1242f")
    ax.set_ylabel("failed runs, % of completed")
    ax.set_title(title)
    ax.grid(axis="y", alpha=0.3)
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("owner")
    p.add_argument("repo")
    p.add_argument("--branch", default="main")
    p.add_argument("--since", default="2026-06-01", help="first creation day (UTC)")
    p.add_argument("--out", default="failure_rate.png")
    p.add_argument("--extension", default="stacklite", help="name or path without .so")
    args = p.parse_args()

    conn = connect(args.extension)
    df = weekly_failure_rate(conn, args.owner, args.repo, args.branch, args.since)
    print(df.to_string(index=False))
    title = f"{args.owner}/{args.repo} on {args.branch}: failure rate per week"
    plot(df, title, args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
