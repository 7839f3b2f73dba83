-- Everything still running, queued or waiting across several repositories: the
-- repositories come from a table, and each one becomes its own listing.
WITH repos(owner, repo) AS (
  VALUES ('octo-org', 'octo-repo'), ('octo-org', 'api-server'), ('octo-org', 'web-frontend'), ('acme', 'infra')
)
SELECT r.owner || '/' || r.repo AS repository, w.status, count(*) AS runs,
       min(w.created_at) AS oldest, group_concat(DISTINCT w.name) AS workflows
FROM repos r
JOIN workflow_runs w ON w.owner = r.owner AND w.repo = r.repo
WHERE w.status IN ('queued', 'in_progress', 'waiting', 'action_required', 'requested', 'pending')
GROUP BY 1, 2
ORDER BY 1, 2;
