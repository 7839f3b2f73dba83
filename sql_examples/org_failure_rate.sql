-- Failure rate per workflow across the octo-org organization in the 30 days before the demo
-- data ends (on live data: created_at >= date('now', '-30 days')). The repositories come from
-- the repositories table (one request), and `repo IN (SELECT ...)` hands workflow_runs the
-- whole list at once, so their listings are fetched side by side; archived ones are left out.
SELECT w.repo, w.name AS workflow, count(*) AS runs,
       sum(w.conclusion IN ('failure', 'timed_out')) AS failed,
       round(100.0 * sum(w.conclusion IN ('failure', 'timed_out')) / count(*), 1) AS failure_pct
  FROM workflow_runs w
 WHERE w.owner = 'octo-org'
   AND w.repo IN (SELECT name FROM repositories WHERE owner = 'octo-org' AND NOT archived)
   AND w.status = 'completed'
   AND w.created_at >= '2026-10-21'
 GROUP BY 1, 2
 ORDER BY failure_pct DESC, runs DESC;

-- What the report cost: one repositories listing, then each repository's runs.
SELECT json_extract(stacklite_stats(), '$.requests') AS requests;
