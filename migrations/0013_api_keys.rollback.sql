-- Undo 0013: the role-holders index, the session's last-seen time and the api_keys table
-- (non-transactional, as 0013 is).
-- squawk-disable-assume-in-transaction
SET lock_timeout = '5s';
SET statement_timeout = '30min';
DROP INDEX CONCURRENTLY IF EXISTS user_roles_role_id_user_id_idx;
-- squawk-ignore ban-drop-column -- the column is this migration's own
ALTER TABLE user_sessions DROP COLUMN IF EXISTS last_seen_at;
-- squawk-ignore ban-drop-table -- the table is this migration's own
DROP TABLE IF EXISTS api_keys;
RESET statement_timeout;
RESET lock_timeout;
