-- Undo 0102 (0104's rollback may have dropped it already).
-- squawk-ignore-file ban-drop-constraint -- a rollback drops exactly what its migration created
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
ALTER TABLE security_events DROP CONSTRAINT IF EXISTS security_events_legacy_bound_check;
