-- Undo 0019: the index without blocking writes, then the column (non-transactional, as 0019 is).
-- squawk-disable-assume-in-transaction
-- squawk-ignore-file ban-drop-column -- a rollback drops exactly the column its migration added
SET lock_timeout = '5s';
SET statement_timeout = '30min';
DROP INDEX CONCURRENTLY IF EXISTS orders_idempotency_key_key;
ALTER TABLE orders DROP COLUMN IF EXISTS idempotency_key;
RESET statement_timeout;
RESET lock_timeout;
