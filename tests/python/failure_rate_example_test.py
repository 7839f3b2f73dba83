#!/usr/bin/python3
"""examples/python/failure_rate.py against the demo server: the data behind the plot is the
weekly failure rate computed here from the API's own pages, and a PNG is written.

Usage: failure_rate_example_test.py EXTENSION_PATH DEMO_SERVER_PATH EXAMPLE_PATH
"""
import collections
import datetime
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request

from demo_server import demo_server

OWNER, REPO, BRANCH, SINCE = "octo-org", "octo-repo", "main", "2026-06-01"


def fetch_runs(base_url):
    """Every run on BRANCH created since SINCE, straight from the API (following Link)."""
    query = urllib.parse.urlencode({"branch": BRANCH, "created": ">=" + SINCE, "per_page": 100})
    url = f"{base_url}/repos/{OWNER}/{REPO}/actions/runs?{query}"
    runs, total = [], None
    while url:
        with urllib.request.urlopen(url, timeout=30) as res:
            page = json.load(res)
            link = res.headers.get("Link", "")
        total = page["total_count"]
        runs += page["workflow_runs"]
        url = None
        for part in link.split(","):
            if 'rel="next"' in part:
                url = part.split(";")[0].strip().strip("<>")
    assert len(runs) == total, (len(runs), total)  # under the API's 1,000-result cap
    return runs


def expected_weeks(runs):
    weeks = collections.defaultdict(lambda: [0, 0])
    for r in runs:
        if r["status"] != "completed":
            continue
        created = datetime.datetime.fromisoformat(r["created_at"].replace("Z", "+00:00"))
        monday = created.date() - datetime.timedelta(days=created.weekday())
        weeks[monday][0] += 1
        weeks[monday][1] += r["conclusion"] in ("failure", "timed_out")
    return weeks


def main():
    extension, server_path, example = sys.argv[1], sys.argv[2], sys.argv[3]
    ext_name = extension[: -len(".so")] if extension.endswith(".so") else extension
    with demo_server(server_path) as base_url:
        spec = importlib.util.spec_from_file_location("failure_rate", example)
        failure_rate = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(failure_rate)

        # The data behind the plot, as pandas reads it with bound parameters ...
        conn = failure_rate.connect(ext_name)
        df = failure_rate.weekly_failure_rate(conn, OWNER, REPO, BRANCH, SINCE)
        # ... against the same runs fetched and grouped here without the extension.
        weeks = expected_weeks(fetch_runs(base_url))
        assert len(weeks) >= 20, sorted(weeks)
        got = {row.week.date(): (row.completed, row.failed) for row in df.itertuples()}
        want = {w: (n, f) for w, (n, f) in weeks.items()}
        assert got == want, sorted(set(got.items()) ^ set(want.items()))
        for row in df.itertuples():  # rounded to one decimal (SQLite rounds halves up)
            assert abs(row.failure_pct - 100.0 * row.failed / row.completed) <= 0.05 + 1e-9, row
        assert list(df["week"]) == sorted(df["week"]), "weeks are not in order"
        assert str(df["week"].dtype).startswith("datetime64"), df.dtypes
        assert any(f > 0 for _, f in want.values()), "the demo data has no failures to plot"
        # A different binding gives a different report (the parameters are really bound).
        other = failure_rate.weekly_failure_rate(conn, OWNER, REPO, BRANCH, "2026-10-01")
        assert 0 < len(other) < len(df), (len(other), len(df))
        assert other["week"].min().date() >= datetime.date(2026, 9, 28), other["week"].min()

        # The script as a user runs it writes a non-empty PNG and prints the table it plots.
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "rate.png")
            res = subprocess.run(
                ["/usr/bin/python3", example, OWNER, REPO, "--extension", ext_name, "--out", out],
                capture_output=True, text=True, timeout=120)
            assert res.returncode == 0, res.stderr
            with open(out, "rb") as f:
                png = f.read()
            assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000, len(png)
            assert f"wrote {out}" in res.stdout, res.stdout
            assert "failure_pct" in res.stdout, res.stdout
            if os.environ.get("SAVE_PNG"):
                with open(os.environ["SAVE_PNG"], "wb") as f:
                    f.write(png)
        print(f"failure_rate example: {len(df)} weeks, {sum(n for n, _ in weeks.values())} completed runs, "
              f"PNG {len(png)} bytes")
        print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
