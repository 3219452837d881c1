-- Index soft-deleted users by deletion time (for the purge of long-deleted accounts).
-- users is a live table: the index is built CONCURRENTLY, outside a transaction. A failed
-- concurrent build leaves an INVALID index behind, which IF NOT EXISTS would then take for
-- done: so drop any index of that name first, then build it again.
-- transactional: false
-- squawk-disable-assume-in-transaction
-- depends: 0010_audit
SET lock_timeout = '5s';
SET statement_timeout = '30min';
DROP INDEX CONCURRENTLY IF EXISTS users_deleted_at_idx;
-- squawk-ignore prefer-robust-stmts -- the DROP above makes a rerun safe; IF NOT EXISTS would keep an INVALID index
CREATE INDEX CONCURRENTLY users_deleted_at_idx ON users (deleted_at) WHERE deleted_at IS NOT NULL;
RESET statement_timeout;
RESET lock_timeout;
