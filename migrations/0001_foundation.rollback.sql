-- Undo 0001: users, then the helper functions.
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
DROP TABLE users;
DROP FUNCTION set_updated_at();
DROP FUNCTION uuid_generate_v7();
