-- Incremental sync: keeps local tables of runs, jobs and artifacts current for the
-- repositories listed in sync_repos, for nearly no API budget. Run it in a database file, as
-- often as you like:
--   sqlite3 -cmd '.load stacklite' ci.db \
--     "CREATE TABLE IF NOT EXISTS sync_repos(owner TEXT, repo TEXT, since TEXT, PRIMARY KEY(owner, repo));
--      INSERT OR IGNORE INTO sync_repos VALUES ('octo-org', 'octo-repo', '2026-11-01')"
--   sqlite3 -cmd '.load stacklite' ci.db '.read sql_examples/reports/sync.sql'
-- One statement per table:
--   runs: the runs created since the newest one stored (`created_at >=` it: one request per
--         repository while fewer than 100 are new; the first time, since sync_repos.since),
--         and the runs stored as not yet completed, read again by id (one request each);
--   jobs: the jobs of every run stored whose jobs are not yet all stored as completed for
--         its latest attempt (one request per such run; none for a run whose jobs are final);
--   stored_artifacts: the artifacts of every run stored as completed whose artifacts were not
--         yet listed for that attempt (one request per run that completed since the last
--         sync; none on unchanged data). A run uploads its artifacts while it runs, so once it
--         is completed they are known. Artifacts the API reports expired are not stored, and
--         those whose expires_at has passed are removed (no request: the time is known).
--         The sync's clock is the current time unless sync_clock holds one (for replays).
-- Each statement upserts (INSERT OR REPLACE on the API's ids). The requests each step cost
-- are in sync_log (from stacklite_stats('reset')): `not_modified` of them were answered 304
-- from the connection's cache, which GitHub does not count against the rate limit.
CREATE TABLE IF NOT EXISTS sync_repos(owner TEXT, repo TEXT, since TEXT, PRIMARY KEY(owner, repo));
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
CREATE TABLE IF NOT EXISTS stored_artifacts(id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL, owner TEXT NOT NULL,
                                            repo TEXT NOT NULL, name TEXT, size_in_bytes INTEGER, digest TEXT,
                                            head_branch TEXT, head_sha TEXT, created_at TEXT, updated_at TEXT,
                                            expires_at TEXT);
CREATE INDEX IF NOT EXISTS stored_artifacts_by_run ON stored_artifacts(run_id);
-- The runs whose artifacts were listed once they had completed, with the attempt listed.
CREATE TABLE IF NOT EXISTS artifacts_listed(run_id INTEGER PRIMARY KEY, run_attempt INTEGER);
-- Empty: the sync goes by the current time. One row pins it ('2026-11-20T18:00:00Z').
CREATE TABLE IF NOT EXISTS sync_clock(now TEXT NOT NULL CHECK (strftime('%s', now) IS NOT NULL));
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

-- The runs whose artifacts are due: completed, and not listed since (for this attempt).
DROP TABLE IF EXISTS temp.artifacts_due;
CREATE TEMP TABLE artifacts_due AS
SELECT r.id, r.owner, r.repo, r.run_attempt FROM runs r
 WHERE r.status = 'completed'
   AND NOT EXISTS (SELECT 1 FROM artifacts_listed x WHERE x.run_id = r.id AND x.run_attempt IS r.run_attempt);
-- A run listed again (a new attempt) brings its artifacts as they are now.
DELETE FROM stored_artifacts WHERE run_id IN (SELECT id FROM artifacts_due);
-- A run deleted on GitHub before its artifacts were listed (they went with it) answers 404
-- while its repository is there: the table reads that as no artifacts and says so in a line
-- on stderr, and the run counts as listed.

INSERT OR REPLACE INTO stored_artifacts(id, run_id, owner, repo, name, size_in_bytes, digest, head_branch, head_sha,
                                        created_at, updated_at, expires_at)
SELECT a.id, d.id, d.owner, d.repo, a.name, a.size_in_bytes, a.digest, a.head_branch, a.head_sha,
       a.created_at, a.updated_at, a.expires_at
  FROM artifacts_due d
  JOIN artifacts a ON a.owner = d.owner AND a.repo = d.repo AND a.workflow_run_id = d.id
 WHERE NOT a.expired;

INSERT OR REPLACE INTO artifacts_listed(run_id, run_attempt) SELECT id, run_attempt FROM artifacts_due;
DROP TABLE temp.artifacts_due;

-- Expired by now: gone from GitHub's storage, removed here without asking.
DELETE FROM stored_artifacts
 WHERE expires_at <= (SELECT strftime('%Y-%m-%dT%H:%M:%SZ', coalesce(max(now), 'now')) FROM sync_clock);

INSERT INTO sync_log SELECT (SELECT max(sync) FROM sync_log), 'artifacts',
       json_extract(s, '$.requests'), json_extract(s, '$.not_modified') FROM (SELECT stacklite_stats('reset') AS s);

-- What this sync cost, per step.
SELECT sync, step, requests, not_modified FROM sync_log
 WHERE sync = (SELECT max(sync) FROM sync_log) AND step != 'start' ORDER BY rowid;
