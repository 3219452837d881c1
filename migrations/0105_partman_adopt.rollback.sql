-- Undo 0105 (pg_partman's own configuration, where it was used, stays: it is the extension's).
-- squawk-ignore-file ban-drop-function -- a rollback drops exactly what its migration created
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
DROP FUNCTION partman_adopt(regclass, integer, integer);
