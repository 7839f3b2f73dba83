-- Failure rate per workflow on main since 2026-06-01 (branch and date range are pushed
-- into the API request; SQLite does the grouping).
SELECT name AS workflow,
       count(*) AS runs,
       sum(conclusion = 'failure') AS failed,
       sum(conclusion = 'cancelled') AS cancelled,
       round(100.0 * sum(conclusion = 'failure') / count(*), 1) AS failure_pct,
       max(created_at) AS last_run
FROM workflow_runs
WHERE owner = 'octo-org' AND repo = 'octo-repo'
  AND head_branch = 'main' AND created_at >= '2026-06-01'
GROUP BY name
ORDER BY failure_pct DESC;
