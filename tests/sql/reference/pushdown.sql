-- README "What goes to the API", row by row: the SQL, its rows and the requests it sends,
-- over octo-org/octo-repo's 250 runs (tests/integration/sql_file_test.cpp runs this file).

-- owner = ? AND repo = ?: the repository's listing, 100 a page.
SELECT count(*), min(id), max(id) FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo';
-- rows:
-- 250|5001|5250
-- requests:
-- GET /repos/octo-org/octo-repo/actions/runs?per_page=100
-- GET /repos/octo-org/octo-repo/actions/runs?per_page=100&page=2
-- GET /repos/octo-org/octo-repo/actions/runs?per_page=100&page=3

-- id = ?, run_id = ? or rowid = ?: one request, no listing; an unknown id is no row.
SELECT id, status FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND id = 5100;
-- rows:
-- 5100|completed
-- requests:
-- GET /repos/octo-org/octo-repo/actions/runs/5100

SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND run_id = 5101;
-- rows:
-- 5101
-- requests:
-- GET /repos/octo-org/octo-repo/actions/runs/5101

SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND rowid = 5102;
-- rows:
-- 5102
-- requests:
-- GET /repos/octo-org/octo-repo/actions/runs/5102

SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND id = 1;
-- rows:
-- requests:
-- GET /repos/octo-org/octo-repo/actions/runs/1

-- ... AND attempt_number = ?: that attempt of the run.
SELECT id, attempt_number FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND id = 5100 AND attempt_number = 1;
-- rows:
-- 5100|1
-- requests:
-- GET /repos/octo-org/octo-repo/actions/runs/5100/attempts/1

-- workflow_id = ? or workflow = ?: an id, a file name or a path.
SELECT count(*) FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND workflow = 'ci.yml';
-- rows:
-- 188
-- requests:
-- GET /repos/octo-org/octo-repo/actions/workflows/ci.yml/runs?per_page=100
-- GET /repos/octo-org/octo-repo/actions/workflows/ci.yml/runs?per_page=100&page=2

SELECT count(*) FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND workflow_id = '.github/workflows/ci.yml';
-- rows:
-- 188
-- requests:
-- GET /repos/octo-org/octo-repo/actions/workflows/ci.yml/runs?per_page=100
-- GET /repos/octo-org/octo-repo/actions/workflows/ci.yml/runs?per_page=100&page=2

-- A workflow the repository does not have: the listing answers 404, the repository 200, so
-- there are no such runs (stderr says so); in an IN list the other workflows' runs still come.
SELECT count(*) FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND workflow_id IN ('ci.yml', 'nope.yml');
-- rows:
-- 188
-- requests:
-- GET /repos/octo-org/octo-repo/actions/workflows/ci.yml/runs?per_page=100
-- GET /repos/octo-org/octo-repo/actions/workflows/ci.yml/runs?per_page=100&page=2
-- GET /repos/octo-org/octo-repo/actions/workflows/nope.yml/runs?per_page=100
-- GET /repos/octo-org/octo-repo

-- A comparison under another collation than BINARY is SQLite's to check: no branch= sent.
SELECT count(*) FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND head_branch = 'MAIN' COLLATE NOCASE;
-- rows:
-- 83
-- requests:
-- GET /repos/octo-org/octo-repo/actions/runs?per_page=100
-- GET /repos/octo-org/octo-repo/actions/runs?per_page=100&page=2
-- GET /repos/octo-org/octo-repo/actions/runs?per_page=100&page=3

-- head_branch = ?: branch=.
SELECT count(*) FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND head_branch = 'main';
-- rows:
-- 83
-- requests:
-- GET /repos/octo-org/octo-repo/actions/runs?branch=main&per_page=100

-- event = ?, head_sha = ?, check_suite_id = ?: the same-named parameter.
SELECT count(*) FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND event = 'push';
-- rows:
-- 83
-- requests:
-- GET /repos/octo-org/octo-repo/actions/runs?event=push&per_page=100

-- status = ?; conclusion = ?: status=, and SQLite re-checks (success is a conclusion).
SELECT count(*) FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND status = 'queued';
-- rows:
-- 50
-- requests:
-- GET /repos/octo-org/octo-repo/actions/runs?status=queued&per_page=100

SELECT count(*) FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND status = 'success';
-- rows:
-- 0
-- requests:
-- GET /repos/octo-org/octo-repo/actions/runs?status=success&per_page=100

SELECT count(*) FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND conclusion = 'failure';
-- rows:
-- 50
-- requests:
-- GET /repos/octo-org/octo-repo/actions/runs?status=failure&per_page=100

-- actor_login = ?: actor=.
SELECT count(*) FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND actor_login = 'alice';
-- rows:
-- 125
-- requests:
-- GET /repos/octo-org/octo-repo/actions/runs?actor=alice&per_page=100
-- GET /repos/octo-org/octo-repo/actions/runs?actor=alice&per_page=100&page=2

-- created_at bounds in any form SQLite's date functions produce: created=, whole seconds.
SELECT count(*) FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND created_at >= datetime('2025-01-01 01:00:00') AND created_at < '2025-01-01T02:00:00Z';
-- rows:
-- 60
-- requests:
-- GET /repos/octo-org/octo-repo/actions/runs?created=2025-01-01T01%3A00%3A00Z..2025-01-01T01%3A59%3A59Z&per_page=100

-- exclude_pull_requests = 1: exclude_pull_requests=true.
SELECT count(*) FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND head_branch = 'develop' AND exclude_pull_requests = 1;
-- rows:
-- 84
-- requests:
-- GET /repos/octo-org/octo-repo/actions/runs?branch=develop&exclude_pull_requests=true&per_page=100

-- LIMIT n: per_page=n when SQLite has nothing left to filter; LIMIT 150 is two requests.
SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' LIMIT 3;
-- rows:
-- 5250
-- 5249
-- 5248
-- requests:
-- GET /repos/octo-org/octo-repo/actions/runs?per_page=3

SELECT count(*) FROM (SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' LIMIT 150);
-- rows:
-- 150
-- requests:
-- GET /repos/octo-org/octo-repo/actions/runs?per_page=100
-- GET /repos/octo-org/octo-repo/actions/runs?per_page=100&page=2

-- ORDER BY created_at DESC: the API's order, so LIMIT still stops early.
SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' ORDER BY created_at DESC LIMIT 2;
-- rows:
-- 5250
-- 5249
-- requests:
-- GET /repos/octo-org/octo-repo/actions/runs?per_page=2

-- IN (...) on owner, repo and id: one request per value.
SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND id IN (5003, 5001);
-- rows:
-- 5001
-- 5003
-- requests:
-- GET /repos/octo-org/octo-repo/actions/runs/5001
-- GET /repos/octo-org/octo-repo/actions/runs/5003

-- EXPLAIN QUERY PLAN: the method and the parameter each value feeds, without a request.
EXPLAIN QUERY PLAN SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND head_branch = 'main' LIMIT 5;
-- rows:
-- 3|0|0|SCAN workflow_runs VIRTUAL TABLE INDEX 3:list_workflow_runs_for_repo(owner=?1,repo=?2,branch=?3) limit=?4 exact columns=0x0000006000001201
-- requests: none

-- workflows, owner = ? AND repo = ?: the repository's workflows, 100 a page.
SELECT id, name, path, state FROM workflows WHERE owner = 'octo-org' AND repo = 'octo-repo';
-- rows:
-- 11|CI|.github/workflows/ci.yml|active
-- 12|Release|.github/workflows/release.yml|active
-- requests:
-- GET /repos/octo-org/octo-repo/actions/workflows?per_page=100

-- workflows, id = ? or workflow = ? (an id, a file name or a path): one request; an unknown workflow is no row.
SELECT id, name FROM workflows WHERE owner = 'octo-org' AND repo = 'octo-repo' AND id = 12;
-- rows:
-- 12|Release
-- requests:
-- GET /repos/octo-org/octo-repo/actions/workflows/12

SELECT id, name FROM workflows WHERE owner = 'octo-org' AND repo = 'octo-repo' AND workflow = '.github/workflows/ci.yml';
-- rows:
-- 11|CI
-- requests:
-- GET /repos/octo-org/octo-repo/actions/workflows/ci.yml

SELECT id FROM workflows WHERE owner = 'octo-org' AND repo = 'octo-repo' AND id = 99;
-- rows:
-- requests:
-- GET /repos/octo-org/octo-repo/actions/workflows/99

-- workflows, name, state, path: SQLite keeps the matching rows of the listing.
SELECT id FROM workflows WHERE owner = 'octo-org' AND repo = 'octo-repo' AND state = 'active' AND name = 'Release';
-- rows:
-- 12
-- requests:
-- GET /repos/octo-org/octo-repo/actions/workflows?per_page=100

-- workflow_run_usage, run_id = ?: one request per run; an unknown run is no row.
SELECT run_id, run_duration_ms, ubuntu_ms, macos_ms, windows_ms FROM workflow_run_usage WHERE owner = 'octo-org' AND repo = 'octo-repo' AND run_id = 5001;
-- rows:
-- 5001|0|1000|NULL|NULL
-- requests:
-- GET /repos/octo-org/octo-repo/actions/runs/5001/timing

SELECT run_id FROM workflow_run_usage WHERE owner = 'octo-org' AND repo = 'octo-repo' AND run_id = 1;
-- rows:
-- requests:
-- GET /repos/octo-org/octo-repo/actions/runs/1/timing

-- workflow_run_usage, run_id IN (...) or from a subquery: one request per run.
SELECT run_id FROM workflow_run_usage WHERE owner = 'octo-org' AND repo = 'octo-repo' AND run_id IN (SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND id IN (5003, 5001));
-- rows:
-- 5001
-- 5003
-- requests:
-- GET /repos/octo-org/octo-repo/actions/runs/5001
-- GET /repos/octo-org/octo-repo/actions/runs/5003
-- GET /repos/octo-org/octo-repo/actions/runs/5001/timing
-- GET /repos/octo-org/octo-repo/actions/runs/5003/timing
