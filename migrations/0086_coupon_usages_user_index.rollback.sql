-- Undo 0086: drop the index without blocking writes to coupon_usages (non-transactional, as 0086 is).
-- squawk-disable-assume-in-transaction
SET lock_timeout = '5s';
SET statement_timeout = '30min';
DROP INDEX CONCURRENTLY IF EXISTS coupon_usages_coupon_id_user_id_idx;
RESET statement_timeout;
RESET lock_timeout;
