-- Active workflows of octo-org that have not run in the 90 days before 2026-11-20 (on live
-- data: date('now', '-90 days')), or never: candidates to turn off or delete. Archived
-- repositories are left out (their workflows cannot run).
--
-- The workflows come from every repository at once (`repo IN (SELECT ...)`: one
-- repositories request, then the workflow listings side by side); state is checked by
-- SQLite. The newest run of each active workflow is then one request: GET
-- .../actions/workflows/{id}/runs, newest first, of which SQLite takes the first row.
-- MATERIALIZED keeps SQLite from asking twice (once per use of last_run).
WITH latest AS MATERIALIZED (
  SELECT w.repo, w.name, w.path, w.created_at,
         (SELECT r.created_at FROM workflow_runs r
           WHERE r.owner = w.owner AND r.repo = w.repo AND r.workflow_id = w.id
           ORDER BY r.created_at DESC LIMIT 1) AS last_run
    FROM workflows w
   WHERE w.owner = 'octo-org'
     AND w.repo IN (SELECT name FROM repositories WHERE owner = 'octo-org' AND NOT archived)
     AND w.state = 'active')
SELECT repo, name AS workflow, path, created_at, coalesce(last_run, 'never') AS last_run
  FROM latest
 WHERE last_run IS NULL OR last_run < '2026-08-22'
 ORDER BY repo, path;

-- What the report cost: one repositories listing, one workflows listing per repository,
-- one runs request per active workflow.
SELECT json_extract(stacklite_stats(), '$.requests') AS requests;
