-- Undo 0073: the cart recovery events.
-- squawk-ignore-file ban-drop-table -- a rollback drops exactly what its migration created
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
DROP TABLE IF EXISTS cart_recovery_events;
