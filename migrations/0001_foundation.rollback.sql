-- Undo 0001: users, then the helper functions.
-- squawk-ignore-file ban-drop-table -- a rollback drops exactly what its migration created
-- squawk-ignore-file ban-drop-function -- nothing outside this project uses these functions
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
DROP TABLE users;
DROP FUNCTION set_updated_at();
DROP FUNCTION uuid_generate_v7();
