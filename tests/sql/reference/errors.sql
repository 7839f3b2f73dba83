-- README "Error states" that need no fault injection: each message as users see it, and
-- whether a request was sent (tests/integration/sql_file_test.cpp runs this file).

-- No owner or repo: no request.
SELECT * FROM workflow_runs;
-- error: workflow_runs: owner and repo are required: add them to the WHERE clause, e.g. SELECT * FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo'
-- requests: none

-- ... AND id = 1 OR id = 2 without parentheses: the second id has no owner or repo.
SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND id = 1 OR id = 2;
-- error: workflow_runs: owner and repo are required: add them to the WHERE clause, e.g. SELECT * FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo'
-- requests: none

-- Listing answered with an HTTP error, no token set: the hint.
SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'no-such-repo';
-- error: workflow_runs: GET /repos/octo-org/no-such-repo/actions/runs: 404 Not Found: Not Found (no token was sent: if the repository is private, set GITHUB_TOKEN or GH_TOKEN)
-- requests:
-- GET /repos/octo-org/no-such-repo/actions/runs?per_page=100

-- Unknown table option or provider.
CREATE VIRTUAL TABLE x USING workflow_runs(base='https://example.com');
-- error: x: unknown option 'base' (did you mean base_url?); valid options: provider, base_url, token_env
-- requests: none

CREATE VIRTUAL TABLE x USING workflow_runs(provider='shithb');
-- error: x: unknown provider 'shithb' (did you mean shithub?); valid providers: github, shithub
-- requests: none

SELECT stacklite_config('timeout');
-- error: stacklite_config: unknown key 'timeout' (did you mean timeout_ms?); known keys: timeout_ms, connect_timeout_ms, max_retries, retry_backoff_ms, max_wait_s, cache, cache_max_mb, max_concurrency, dry_run, write_interval_ms, progress, trust_schema, user_agent, on_missing
-- requests: none

-- Bad values: no request.
SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND exclude_pull_requests = 'sometimes';
-- error: workflow_runs: exclude_pull_requests takes 1 or 0 (true or false), not 'sometimes'
-- requests: none

SELECT id FROM workflow_runs WHERE owner = '..' AND repo = 'octo-repo';
-- error: workflow_runs: owner must not be '..': a dot segment would change the request path
-- requests: none

SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND created_at > '11/01/2026';
-- error: workflow_runs: created_at is compared as a time, and '11/01/2026' is not one. Accepted: 'YYYY-MM-DD' (midnight UTC), 'YYYY-MM-DD HH:MM', 'YYYY-MM-DD HH:MM:SS' and 'YYYY-MM-DD HH:MM:SS.SSS' (or with T), each optionally followed by Z or +HH:MM/-HH:MM (UTC when absent), as datetime(), date() and strftime() produce; an INTEGER of unix seconds, as unixepoch() returns; a REAL Julian day, as julianday() returns
-- requests: none

SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND status = 'failed';
-- error: workflow_runs: status = 'failed' is not a value the API's status parameter takes; valid values: completed, action_required, cancelled, failure, neutral, skipped, stale, success, timed_out, in_progress, queued, requested, waiting, pending
-- requests: none

-- A workflow of a repository that is not there: the API's 404, once the repository answers 404 too.
SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'no-such-repo' AND workflow_id = 'ci.yml';
-- error: workflow_runs: GET /repos/octo-org/no-such-repo/actions/workflows/ci.yml/runs: 404 Not Found: Not Found (no token was sent: if the repository is private, set GITHUB_TOKEN or GH_TOKEN)
-- requests:
-- GET /repos/octo-org/no-such-repo/actions/workflows/ci.yml/runs?per_page=100
-- GET /repos/octo-org/no-such-repo

-- INSERT and UPDATE have no API method behind them: no request.
INSERT INTO workflow_runs(id) VALUES (1);
-- error: workflow_runs: only SELECT and DELETE are supported: INSERT and UPDATE have no API method behind them
-- requests: none

UPDATE workflow_runs SET name = 'x' WHERE owner = 'octo-org' AND repo = 'octo-repo' AND id = 5100;
-- error: workflow_runs: only SELECT and DELETE are supported: INSERT and UPDATE have no API method behind them
-- requests: none

-- A column that does not exist: SQLite's own error, before the extension sees the query.
SELECT branch FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo';
-- error: no such column: branch
-- requests: none

-- Write refused by the API: a value, not an error.
SELECT cancel_workflow_run('octo-org', 'octo-repo', 1);
-- rows:
-- {"ok":false,"status":404,"message":"Not Found"}
-- requests:
-- POST /repos/octo-org/octo-repo/actions/runs/1/cancel

-- workflow_run_usage without run_id: no request.
SELECT * FROM workflow_run_usage WHERE owner = 'octo-org' AND repo = 'octo-repo';
-- error: workflow_run_usage: owner, repo and run_id are required: add them to the WHERE clause, e.g. SELECT * FROM workflow_run_usage WHERE owner = 'octo-org' AND repo = 'octo-repo' AND run_id = 30433642
-- requests: none
