-- Undo 0020: drop the index without blocking writes to products (non-transactional, as 0020 is).
-- squawk-disable-assume-in-transaction
SET lock_timeout = '5s';
SET statement_timeout = '30min';
DROP INDEX CONCURRENTLY IF EXISTS products_status_price_idx;
RESET statement_timeout;
RESET lock_timeout;
