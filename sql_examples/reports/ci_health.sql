-- Saved reports as TEMP views over the live tables (the demo repository; edit owner and repo).
-- Load them and query one in a single command:
--   sqlite3 -cmd '.load stacklite' -cmd '.read sql_examples/reports/ci_health.sql' :memory: \
--     'SELECT * FROM failure_rate_by_workflow'
-- TEMP, because a view stored in a database file may not read workflow_runs (README: "Saved reports").
CREATE TEMP VIEW IF NOT EXISTS failing_on_main AS
SELECT id, name, created_at, html_url
  FROM workflow_runs
 WHERE owner = 'octo-org' AND repo = 'octo-repo' AND head_branch = 'main' AND conclusion = 'failure';

CREATE TEMP VIEW IF NOT EXISTS failure_rate_by_workflow AS
SELECT name AS workflow,
       count(*) AS runs,
       sum(conclusion = 'failure') AS failed,
       round(100.0 * sum(conclusion = 'failure') / count(*), 1) AS failure_pct
  FROM workflow_runs
 WHERE owner = 'octo-org' AND repo = 'octo-repo' AND head_branch = 'main' AND status = 'completed'
 GROUP BY name;
