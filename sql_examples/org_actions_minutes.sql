-- Actions minutes across the octo-org organization in October 2026, the last whole month of
-- the demo data (on live data, last month: created_at >= date('now', 'start of month',
-- '-1 month') AND created_at < date('now', 'start of month')), per workflow and per
-- repository. Billable time is per job, on each kind of runner (macOS and Windows minutes
-- are shown before GitHub's multipliers).
--
-- The month's completed runs come from every repository not archived at once (`repo IN
-- (SELECT ...)`: one repositories request, then the runs' pages side by side). Their usage is
-- then read with one list of run ids per repository (`run_id IN (SELECT ...)`), so those
-- requests go side by side too; a plain join would ask for one run's usage at a time.
CREATE TEMP TABLE month_runs AS
  SELECT repo, id, name AS workflow FROM workflow_runs
   WHERE owner = 'octo-org'
     AND repo IN (SELECT name FROM repositories WHERE owner = 'octo-org' AND NOT archived)
     AND status = 'completed'
     AND created_at >= '2026-10-01' AND created_at < '2026-11-01';

CREATE TEMP TABLE month_usage AS
  SELECT u.repo, u.run_id, u.ubuntu_ms, u.macos_ms, u.windows_ms
    FROM (SELECT DISTINCT repo FROM month_runs) r
    JOIN workflow_run_usage u
      ON u.owner = 'octo-org' AND u.repo = r.repo
     AND u.run_id IN (SELECT id FROM month_runs m WHERE m.repo = r.repo);

-- Per workflow.
SELECT m.repo, m.workflow, count(*) AS runs,
       round(total(u.ubuntu_ms) / 60000.0, 1) AS ubuntu_min,
       round(total(u.macos_ms) / 60000.0, 1) AS macos_min,
       round(total(u.windows_ms) / 60000.0, 1) AS windows_min,
       round((total(u.ubuntu_ms) + total(u.macos_ms) + total(u.windows_ms)) / 60000.0, 1) AS minutes
  FROM month_runs m JOIN month_usage u ON u.repo = m.repo AND u.run_id = m.id
 GROUP BY 1, 2
 ORDER BY minutes DESC;

-- Per repository.
SELECT m.repo, count(*) AS runs,
       round((total(u.ubuntu_ms) + total(u.macos_ms) + total(u.windows_ms)) / 60000.0, 1) AS minutes
  FROM month_runs m JOIN month_usage u ON u.repo = m.repo AND u.run_id = m.id
 GROUP BY 1
 ORDER BY minutes DESC;

-- What the report cost: 1 repositories listing, the month's pages of runs, one usage request per run.
SELECT json_extract(stacklite_stats(), '$.requests') AS requests;
