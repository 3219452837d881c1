-- Undo 0070: the outbox and its consumers' cursors.
-- squawk-ignore-file ban-drop-table -- a rollback drops exactly what its migration created
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
DROP TABLE IF EXISTS outbox_consumers;
DROP TABLE IF EXISTS outbox_events;
