-- The statements of `shopdb partitions` (shopdb.partitions): the monthly partitions of
-- audit_logs and security_events kept ahead and dropped past retention (migration 0100's
-- functions), and the rows the default partitions hold.

-- name: create_ahead(parent, months_ahead, at)<!
-- Create the months of parent from that of at to months_ahead later; how many were new.
SELECT create_month_partitions(:parent::regclass, :months_ahead::integer, :at::timestamptz) AS created;

-- name: drop_old(parent, retention_months, at)<!
-- Detach and drop the partitions of parent older than retention_months before the month of at; their names.
SELECT coalesce(array_agg(dropped), '{}') AS dropped
  FROM drop_old_partitions(:parent::regclass, :retention_months::integer, :at::timestamptz) AS dropped;

-- name: list_partitions(parent)
-- Each partition of parent with its bounds (NULL: unbounded) and estimated rows, oldest first, the default last.
SELECT p.partition::text                       AS name,
       nullif(p.low, '-infinity')              AS low,
       nullif(p.high, 'infinity')              AS high,
       p.is_default,
       greatest(c.reltuples, 0)::bigint        AS estimated_rows
  FROM month_partitions(:parent::regclass) p
  JOIN pg_class c ON c.oid = p.partition
 ORDER BY p.is_default, p.high;

-- name: default_rows()
-- How many rows each default partition holds: rows of a month no partition was made for.
SELECT 'audit_logs' AS parent, count(*) AS rows FROM audit_logs_default
UNION ALL
SELECT 'security_events', count(*) FROM security_events_default;

-- name: lock_briefly#
-- Wait at most 5 s for a lock: a partition change queued behind a long transaction would stall every writer behind it.
SET lock_timeout = '5s';

-- name: adopt_by_partman(parent, premake, retention_months)<!
-- Hand parent to pg_partman with these figures (migration 0105); its name.
SELECT :parent::text AS adopted
  FROM partman_adopt(:parent::regclass, :premake::integer, :retention_months::integer);
