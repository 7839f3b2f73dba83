-- Runs queued for over an hour across the octo-org organization. The demo data ends at
-- 2026-11-20 18:00 UTC; this asks as of 19:30 that day (on live data: datetime('now')).
-- `status = 'queued'` goes to the API, so each repository's listing holds only its queued
-- runs: one request per repository, after one for the organization's repositories.
WITH as_of(t) AS (VALUES ('2026-11-20 19:30:00'))
SELECT w.repo, w.id, w.name AS workflow, w.head_branch, w.created_at,
       round((unixepoch((SELECT t FROM as_of)) - unixepoch(w.created_at)) / 3600.0, 1) AS hours_queued
  FROM workflow_runs w
 WHERE w.owner = 'octo-org'
   AND w.repo IN (SELECT name FROM repositories WHERE owner = 'octo-org')
   AND w.status = 'queued'
   AND unixepoch(w.created_at) < unixepoch((SELECT t FROM as_of), '-1 hour')
 ORDER BY w.created_at, w.id;

SELECT json_extract(stacklite_stats(), '$.requests') AS requests;
