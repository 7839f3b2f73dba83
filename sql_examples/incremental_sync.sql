-- Incremental sync (reports/sync.sql) of the demo repositories, run twice: the first run
-- fetches every run since 2026-11-14 and their jobs; the second, on unchanged data, asks
-- each repository once for runs created since the newest stored (answered 304 from the
-- connection's cache), reads again by id the runs stored as not yet completed, and the jobs
-- of those runs. Each step's cost is printed by the script (requests, of which 304).
CREATE TABLE sync_repos(owner TEXT NOT NULL, repo TEXT NOT NULL, since TEXT NOT NULL, PRIMARY KEY(owner, repo));
INSERT INTO sync_repos VALUES ('octo-org', 'octo-repo', '2026-11-14'), ('octo-org', 'api-server', '2026-11-14'),
                              ('octo-org', 'web-frontend', '2026-11-14'), ('acme', 'infra', '2026-11-14');
.read reports/sync.sql
SELECT owner || '/' || repo AS repository, count(*) AS runs, sum(status != 'completed') AS not_completed,
       (SELECT count(*) FROM jobs j WHERE j.owner = r.owner AND j.repo = r.repo) AS jobs
  FROM runs r GROUP BY 1 ORDER BY 1;
.read reports/sync.sql
SELECT count(*) AS runs_stored, (SELECT count(*) FROM jobs) AS jobs_stored FROM runs;
