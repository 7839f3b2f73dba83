#!/usr/bin/python3
"""Python's sqlite3 module loads the extension and queries the demo server.

Usage: load_extension_test.py EXTENSION_PATH DEMO_SERVER_PATH
"""
import sqlite3
import sys

from demo_server import demo_server


def main():
    extension, server_path = sys.argv[1], sys.argv[2]
    with demo_server(server_path):
        conn = sqlite3.connect(":memory:")
        conn.enable_load_extension(True)
        # As the README says: the path without its .so suffix.
        conn.load_extension(extension[: -len(".so")] if extension.endswith(".so") else extension)
        conn.enable_load_extension(False)

        version = conn.execute("SELECT stacklite_version()").fetchone()[0]
        assert version and version[0].isdigit(), version

        rows = conn.execute(
            "SELECT id, owner, repo, status, head_branch FROM workflow_runs "
            "WHERE owner = ? AND repo = ? AND head_branch = ? LIMIT 7",
            ("octo-org", "octo-repo", "main"),
        ).fetchall()
        assert len(rows) == 7, rows
        for run_id, owner, repo, status, branch in rows:
            assert isinstance(run_id, int)
            assert (owner, repo, branch) == ("octo-org", "octo-repo", "main")
            assert status, rows

        total = conn.execute(
            "SELECT count(*) FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo'"
        ).fetchone()[0]
        on_main = conn.execute(
            "SELECT count(*) FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' "
            "AND head_branch = 'main'"
        ).fetchone()[0]
        filtered_locally = conn.execute(
            "SELECT count(*) FROM (SELECT head_branch FROM workflow_runs "
            "WHERE owner = 'octo-org' AND repo = 'octo-repo') WHERE head_branch = 'main'"
        ).fetchone()[0]
        assert total > on_main > 0, (total, on_main)
        assert on_main == filtered_locally, (on_main, filtered_locally)

        try:
            conn.execute("SELECT id FROM workflow_runs").fetchall()
            raise AssertionError("a query without owner and repo must fail")
        except sqlite3.OperationalError as e:
            assert "owner and repo are required" in str(e), e
        print(f"python: loaded stacklite {version}; {total} runs, {on_main} on main")
        print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
