-- The largest artifacts still stored across the octo-org organization: what takes the
-- artifact storage, the run that uploaded it, its branch and when it goes by itself. Expired
-- artifacts are listed too but no longer stored (`NOT expired` leaves them out). As it is
-- stored, not as of a date, so on live data this report is written the same way.
-- `repo IN (SELECT ...)` hands artifacts every repository at once, so their listings are
-- fetched side by side (archived repositories keep their artifacts: they are included). The
-- API has no size order or expiry filter: every page of each listing is read.
SELECT round(a.size_in_bytes / 1048576.0, 1) AS mib, a.repo, a.name, a.workflow_run_id AS run_id,
       a.head_branch AS branch, a.expires_at
  FROM artifacts a
 WHERE a.owner = 'octo-org'
   AND a.repo IN (SELECT name FROM repositories WHERE owner = 'octo-org')
   AND NOT a.expired
 ORDER BY a.size_in_bytes DESC
 LIMIT 10;

-- What the report cost: one repositories listing, then every page of each repository's artifacts.
SELECT json_extract(stacklite_stats(), '$.requests') AS requests;
