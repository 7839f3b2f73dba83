-- Timestamps as time. A bound on a timestamp column (created_at, updated_at, run_started_at;
-- jobs' started_at and completed_at; artifacts' expires_at, ...) is compared as time by the
-- table, in any form SQLite's date functions produce; on created_at it also goes to the API
-- as created=. Inside OR or NOT the table does not see the comparison and SQLite compares
-- the ISO text itself: against '2026-11-19 12:00:00', a run updated at 2026-11-19T03:00:00Z
-- counts as later there ('T' sorts after ' '). Compare with unixepoch() on both sides there.
SELECT 'created_at >= bound' AS comparison, count(*) AS runs
  FROM workflow_runs WHERE owner = 'acme' AND repo = 'infra' AND created_at >= '2026-11-19 12:00:00'
UNION ALL
SELECT 'updated_at >= bound', count(*)
  FROM workflow_runs WHERE owner = 'acme' AND repo = 'infra' AND updated_at >= '2026-11-19 12:00:00'
UNION ALL
SELECT 'inside OR, as text (wrong)', count(*)
  FROM workflow_runs WHERE owner = 'acme' AND repo = 'infra'
   AND (updated_at >= '2026-11-19 12:00:00' OR head_branch = 'no-such-branch')
UNION ALL
SELECT 'inside OR, unixepoch() on both sides', count(*)
  FROM workflow_runs WHERE owner = 'acme' AND repo = 'infra'
   AND (unixepoch(updated_at) >= unixepoch('2026-11-19 12:00:00') OR head_branch = 'no-such-branch');

-- Durations the same way: the slowest runs of the last week of the data, in minutes.
SELECT id, name, run_started_at,
       round((unixepoch(updated_at) - unixepoch(run_started_at)) / 60.0, 1) AS minutes
FROM workflow_runs
WHERE owner = 'acme' AND repo = 'infra' AND status = 'completed'
  AND created_at >= datetime('2026-11-20', '-7 days')
ORDER BY minutes DESC, id
LIMIT 5;
