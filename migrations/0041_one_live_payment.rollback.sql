-- Undo 0041: the index, without blocking writes (non-transactional, as 0041 is).
-- squawk-disable-assume-in-transaction
SET lock_timeout = '5s';
SET statement_timeout = '30min';
DROP INDEX CONCURRENTLY IF EXISTS payments_order_id_live_key;
RESET statement_timeout;
RESET lock_timeout;
