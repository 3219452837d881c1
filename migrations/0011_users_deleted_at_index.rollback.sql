-- Undo 0011: drop the index without blocking writes to users (non-transactional, as 0011 is).
-- squawk-disable-assume-in-transaction
SET lock_timeout = '5s';
SET statement_timeout = '30min';
DROP INDEX CONCURRENTLY IF EXISTS users_deleted_at_idx;
RESET statement_timeout;
RESET lock_timeout;
