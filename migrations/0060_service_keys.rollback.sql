-- Undo 0060: the keys table, then pgcrypto (no other migration uses it).
-- squawk-ignore-file ban-drop-table,ban-drop-extension -- a rollback drops exactly what its migration created
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
DROP TABLE IF EXISTS service_keys;
DROP EXTENSION IF EXISTS pgcrypto;
