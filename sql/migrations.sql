-- yoyo's bookkeeping, read (never written) for `shopdb status`.

-- name: yoyo_bookkeeping_exists()$
-- Whether yoyo has created its table of applied migrations here (not before the first migrate).
SELECT to_regclass('_yoyo_migration') IS NOT NULL;

-- name: applied_migrations()
-- Every applied migration with the time yoyo recorded it (UTC), oldest first.
SELECT migration_id, applied_at_utc
  FROM _yoyo_migration
 ORDER BY applied_at_utc, migration_id;
