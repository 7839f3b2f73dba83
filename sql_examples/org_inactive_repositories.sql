-- Repositories of octo-org whose workflows have not run in the 90 days before 2026-11-20
-- (on live data: date('now', '-90 days')), or never. The newest run of each repository is
-- one request: ORDER BY created_at DESC is the API's own order, so SQLite takes the first
-- row of the first page and stops. MATERIALIZED keeps SQLite from asking twice (once per
-- use of last_run).
WITH latest AS MATERIALIZED (
  SELECT r.name, r.archived, r.fork, r.pushed_at,
         (SELECT w.created_at FROM workflow_runs w
           WHERE w.owner = r.owner_login AND w.repo = r.name
           ORDER BY w.created_at DESC LIMIT 1) AS last_run
    FROM repositories r
   WHERE r.owner = 'octo-org')
SELECT name, archived, fork, pushed_at, coalesce(last_run, 'never') AS last_run
  FROM latest
 WHERE last_run IS NULL OR last_run < '2026-08-22'
 ORDER BY name;

SELECT json_extract(stacklite_stats(), '$.requests') AS requests;
