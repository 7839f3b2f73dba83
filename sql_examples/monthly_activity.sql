-- Runs per month and event for one repository (the whole history, every page streamed).
SELECT substr(created_at, 1, 7) AS month, event, count(*) AS runs,
       sum(conclusion = 'success') AS succeeded, count(DISTINCT actor_login) AS actors
FROM workflow_runs
WHERE owner = 'acme' AND repo = 'infra'
GROUP BY 1, 2
ORDER BY 1, 2;
