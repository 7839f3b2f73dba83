-- Incremental sync: keeps local tables of runs and jobs current for the repositories listed
-- in sync_repos, for nearly no API budget. Run it in a database file, as often as you like:
--   sqlite3 -cmd '.load stacklite' ci.db \
--     "CREATE TABLE IF NOT EXISTS sync_repos(owner TEXT, repo TEXT, since TEXT, PRIMARY KEY(owner, repo));
--      INSERT OR IGNORE INTO sync_repos VALUES ('octo-org', 'octo-repo', '2026-11-01')"
--   sqlite3 -cmd '.load stacklite' ci.db '.read sql_examples/reports/sync.sql'
-- One statement per table:
--   runs: the runs created since the newest one stored (`created_at >=` it: one request per
--         repository while fewer than 100 are new; the first time, since sync_repos.since),
--         and the runs stored as not yet completed, read again by id (one request each);
--   jobs: the jobs of every run stored whose jobs are not yet all stored as completed for
--         its latest attempt (one request per such run; none for a run whose jobs are final).
-- Each statement upserts (INSERT OR REPLACE on the API's ids). The requests each step cost
-- are in sync_log (from stacklite_stats('reset')): `not_modified` of them were answered 304
-- from the connection's cache, which GitHub does not count against the rate limit.
CREATE TABLE IF NOT EXISTS sync_repos(owner TEXT NOT NULL, repo TEXT NOT NULL, since TEXT NOT NULL,
                                      PRIMARY KEY(owner, repo));
CREATE TABLE IF NOT EXISTS runs(id INTEGER PRIMARY KEY, owner TEXT NOT NULL, repo TEXT NOT NULL,
                                workflow_id INTEGER, name TEXT, head_branch TEXT, event TEXT, status TEXT,
                                conclusion TEXT, run_attempt INTEGER, created_at TEXT, updated_at TEXT,
                                run_started_at TEXT, actor_login TEXT, html_url TEXT);
CREATE INDEX IF NOT EXISTS runs_by_repo ON runs(owner, repo, created_at);
CREATE TABLE IF NOT EXISTS jobs(id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL, run_attempt INTEGER,
                                owner TEXT, repo TEXT, name TEXT, status TEXT, conclusion TEXT,
                                started_at TEXT, completed_at TEXT, runner_name TEXT, labels TEXT);
CREATE INDEX IF NOT EXISTS jobs_by_run ON jobs(run_id);
CREATE TABLE IF NOT EXISTS sync_log(sync INTEGER, step TEXT, requests INTEGER, not_modified INTEGER);

-- Start counting (what came before this sync is not its cost).
INSERT INTO sync_log SELECT coalesce((SELECT max(sync) FROM sync_log), 0) + 1, 'start',
       json_extract(s, '$.requests'), json_extract(s, '$.not_modified') FROM (SELECT stacklite_stats('reset') AS s);

INSERT OR REPLACE INTO runs(id, owner, repo, workflow_id, name, head_branch, event, status, conclusion,
                            run_attempt, created_at, updated_at, run_started_at, actor_login, html_url)
SELECT w.id, w.owner, w.repo, w.workflow_id, w.name, w.head_branch, w.event, w.status, w.conclusion,
       w.run_attempt, w.created_at, w.updated_at, w.run_started_at, w.actor_login, w.html_url
  FROM sync_repos s
  JOIN workflow_runs w
    ON w.owner = s.owner AND w.repo = s.repo
   AND w.created_at >= coalesce((SELECT max(r.created_at) FROM runs r WHERE r.owner = s.owner AND r.repo = s.repo),
                                s.since)
UNION ALL
SELECT w.id, w.owner, w.repo, w.workflow_id, w.name, w.head_branch, w.event, w.status, w.conclusion,
       w.run_attempt, w.created_at, w.updated_at, w.run_started_at, w.actor_login, w.html_url
  FROM runs r
  JOIN workflow_runs w ON w.owner = r.owner AND w.repo = r.repo AND w.id = r.id
 WHERE r.status IS NOT 'completed'
   -- those created at the newest second stored come with the listing above
   AND r.created_at < (SELECT max(x.created_at) FROM runs x WHERE x.owner = r.owner AND x.repo = r.repo);

INSERT INTO sync_log SELECT (SELECT max(sync) FROM sync_log), 'runs',
       json_extract(s, '$.requests'), json_extract(s, '$.not_modified') FROM (SELECT stacklite_stats('reset') AS s);

INSERT OR REPLACE INTO jobs(id, run_id, run_attempt, owner, repo, name, status, conclusion, started_at,
                            completed_at, runner_name, labels)
SELECT j.id, j.run_id, j.run_attempt, r.owner, r.repo, j.name, j.status, j.conclusion, j.started_at,
       j.completed_at, j.runner_name, j.labels
  FROM runs r
  JOIN workflow_jobs j ON j.owner = r.owner AND j.repo = r.repo AND j.run_id = r.id
 WHERE r.status IS NOT 'completed'
    OR NOT EXISTS (SELECT 1 FROM jobs x WHERE x.run_id = r.id AND x.run_attempt = r.run_attempt)
    OR EXISTS (SELECT 1 FROM jobs x WHERE x.run_id = r.id AND x.run_attempt = r.run_attempt
                                     AND x.status IS NOT 'completed');

INSERT INTO sync_log SELECT (SELECT max(sync) FROM sync_log), 'jobs',
       json_extract(s, '$.requests'), json_extract(s, '$.not_modified') FROM (SELECT stacklite_stats('reset') AS s);

-- What this sync cost, per step.
SELECT sync, step, requests, not_modified FROM sync_log
 WHERE sync = (SELECT max(sync) FROM sync_log) AND step != 'start' ORDER BY rowid;
