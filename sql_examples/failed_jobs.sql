-- Which jobs fail on main? Runs joined to their jobs: one jobs listing per failed run.
SELECT j.name AS job, count(*) AS failed_jobs, count(DISTINCT r.name) AS workflows,
       max(r.created_at) AS last_failure
FROM workflow_runs r
JOIN workflow_jobs j ON j.owner = r.owner AND j.repo = r.repo AND j.run_id = r.id
WHERE r.owner = 'octo-org' AND r.repo = 'api-server' AND r.head_branch = 'main'
  AND r.conclusion = 'failure' AND j.conclusion = 'failure'
GROUP BY j.name
ORDER BY failed_jobs DESC;
