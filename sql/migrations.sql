-- yoyo's bookkeeping, read for `shopdb status`.

-- name: applied_migrations()
-- Every applied migration with the time yoyo recorded it (UTC), oldest first.
SELECT migration_id, applied_at_utc
  FROM _yoyo_migration
 ORDER BY applied_at_utc, migration_id;
