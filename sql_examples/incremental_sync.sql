-- Incremental sync (reports/sync.sql) of the demo repositories, run twice: the first run
-- fetches every run since 2026-11-14, their jobs, and the artifacts of those completed; the
-- second, on unchanged data, asks each repository once for runs created since the newest
-- stored (answered 304 from the connection's cache), reads again by id the runs stored as
-- not yet completed, and the jobs of those runs; no run completed, so no artifacts are
-- listed. Each step's cost is printed by the script (requests, of which 304).
-- The sync's clock is pinned to the end of the demo data (on live data leave sync_clock
-- empty: the sync goes by the current time); the second run is a day later, so the
-- artifacts whose expiry passed in between are removed, without a request.
CREATE TABLE sync_repos(owner TEXT NOT NULL, repo TEXT NOT NULL, since TEXT NOT NULL, PRIMARY KEY(owner, repo));
INSERT INTO sync_repos VALUES ('octo-org', 'octo-repo', '2026-11-14'), ('octo-org', 'api-server', '2026-11-14'),
                              ('octo-org', 'web-frontend', '2026-11-14'), ('acme', 'infra', '2026-11-14');
CREATE TABLE sync_clock(now TEXT NOT NULL CHECK (strftime('%s', now) IS NOT NULL));
INSERT INTO sync_clock VALUES ('2026-11-20T18:00:00Z');
.read reports/sync.sql
SELECT owner || '/' || repo AS repository, count(*) AS runs, sum(status != 'completed') AS not_completed,
       (SELECT count(*) FROM jobs j WHERE j.owner = r.owner AND j.repo = r.repo) AS jobs,
       (SELECT count(*) FROM stored_artifacts a WHERE a.owner = r.owner AND a.repo = r.repo) AS artifacts,
       (SELECT round(sum(size_in_bytes) / 1048576.0, 1) FROM stored_artifacts a
         WHERE a.owner = r.owner AND a.repo = r.repo) AS artifact_mib
  FROM runs r GROUP BY 1 ORDER BY 1;
UPDATE sync_clock SET now = '2026-11-21T18:00:00Z';
.read reports/sync.sql
SELECT count(*) AS runs_stored, (SELECT count(*) FROM jobs) AS jobs_stored,
       (SELECT count(*) FROM stored_artifacts) AS artifacts_stored FROM runs;
