-- Clean-up: delete acme/infra runs created before March 2026. Remote deletes cannot be
-- rolled back, so look first: in a dry run every write reports what it would send.
SELECT stacklite_config('write_interval_ms', 0) AS pacing_ms;  -- the demo server needs no pacing
SELECT stacklite_config('dry_run', 1) AS dry_run;

SELECT id, created_at, conclusion,
       json_extract(delete_workflow_run(owner, repo, id), '$.method') AS method,
       substr(json_extract(delete_workflow_run(owner, repo, id), '$.url'),
              instr(json_extract(delete_workflow_run(owner, repo, id), '$.url'), '/repos/')) AS path
FROM workflow_runs
WHERE owner = 'acme' AND repo = 'infra' AND created_at < '2026-03-01'
ORDER BY id;

-- Looks right: delete for real. changes() counts the runs deleted.
SELECT stacklite_config('dry_run', 0) AS dry_run;
DELETE FROM workflow_runs WHERE owner = 'acme' AND repo = 'infra' AND created_at < '2026-03-01';
SELECT changes() AS deleted;

SELECT count(*) AS left_before_march, (SELECT count(*) FROM workflow_runs WHERE owner = 'acme' AND repo = 'infra') AS total
FROM workflow_runs WHERE owner = 'acme' AND repo = 'infra' AND created_at < '2026-03-01';
