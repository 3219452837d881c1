-- Checkout idempotency: the key a client sends with place_from_cart, unique over all orders,
-- so that a repeated or racing checkout with the same key finds the order instead of making a
-- second one. orders is a live table: the column is nullable (no rewrite, a brief lock) and its
-- unique index is built CONCURRENTLY, outside a transaction; an INVALID index left by a failed
-- build is dropped first.
-- transactional: false
-- squawk-disable-assume-in-transaction
-- depends: 0018_primary_variant
SET lock_timeout = '5s';
SET statement_timeout = '30min';
ALTER TABLE orders ADD COLUMN IF NOT EXISTS idempotency_key text;
COMMENT ON COLUMN orders.idempotency_key IS 'The key of the checkout that placed the order; one order per key.';
DROP INDEX CONCURRENTLY IF EXISTS orders_idempotency_key_key;
-- squawk-ignore prefer-robust-stmts -- the DROP above makes a rerun safe; IF NOT EXISTS would keep an INVALID index
CREATE UNIQUE INDEX CONCURRENTLY orders_idempotency_key_key ON orders (idempotency_key);
RESET statement_timeout;
RESET lock_timeout;
