-- Clean-up across the octo-org organization, looked at first: the artifacts created more than
-- 30 days before the demo data ends (2026-11-20; on live data: created_at < date('now',
-- '-30 days')) that are still stored. Expired ones are left out: their storage is already
-- free. Remote deletes cannot be rolled back, so this is a dry run: each DELETE the
-- statement would send is printed to stderr (below, with the API base as $GITHUB_API_URL),
-- nothing is sent, and changes() counts the artifacts that would go.
SELECT stacklite_config('dry_run', 1) AS dry_run;

DELETE FROM artifacts
 WHERE owner = 'octo-org'
   AND repo IN (SELECT name FROM repositories WHERE owner = 'octo-org')
   AND NOT expired
   AND created_at < '2026-10-21';
SELECT changes() AS would_delete;

-- Nothing was sent: no write request, only the listings.
SELECT json_extract(stacklite_stats(), '$.writes') AS writes_sent;

-- Looks right? SELECT stacklite_config('dry_run', 0) and run the same DELETE again.
-- What the dry run cost: one repositories listing, then every page of each repository's artifacts.
SELECT json_extract(stacklite_stats(), '$.requests') AS requests;
