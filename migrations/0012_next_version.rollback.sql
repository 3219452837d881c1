-- Undo 0012: the optimistic-locking helper.
-- squawk-ignore-file ban-drop-function -- nothing outside this project uses it
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
DROP FUNCTION next_version(integer, integer);
