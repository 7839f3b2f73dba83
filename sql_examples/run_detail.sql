-- One run by id (a single request), its first attempt, and fields read out of the JSON
-- columns with json_extract.
SELECT id, name, run_attempt, status, conclusion, actor_login,
       json_extract(head_commit, '$.author.name') AS author,
       json_extract(repository, '$.full_name') AS repository
FROM workflow_runs
WHERE owner = 'octo-org' AND repo = 'octo-repo' AND id = 19406503224;

SELECT id, attempt_number, run_attempt, status, conclusion, previous_attempt_url IS NULL AS first_attempt
FROM workflow_runs
WHERE owner = 'octo-org' AND repo = 'octo-repo' AND id = 19406503224 AND attempt_number = 1;
