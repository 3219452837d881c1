-- Undo 0030: build the single-column indexes again, then drop the owner keys and the
-- composite indexes, without blocking writes (non-transactional, as 0030 is).
-- squawk-disable-assume-in-transaction
SET lock_timeout = '5s';
SET statement_timeout = '30min';
DROP INDEX CONCURRENTLY IF EXISTS payments_order_id_idx;
-- squawk-ignore prefer-robust-stmts -- the DROP above makes a rerun safe; IF NOT EXISTS would keep an INVALID index
CREATE INDEX CONCURRENTLY payments_order_id_idx ON payments (order_id);
DROP INDEX CONCURRENTLY IF EXISTS orders_billing_address_id_idx;
-- squawk-ignore prefer-robust-stmts -- the DROP above makes a rerun safe; IF NOT EXISTS would keep an INVALID index
CREATE INDEX CONCURRENTLY orders_billing_address_id_idx ON orders (billing_address_id);
DROP INDEX CONCURRENTLY IF EXISTS orders_shipping_address_id_idx;
-- squawk-ignore prefer-robust-stmts -- the DROP above makes a rerun safe; IF NOT EXISTS would keep an INVALID index
CREATE INDEX CONCURRENTLY orders_shipping_address_id_idx ON orders (shipping_address_id);
DROP INDEX CONCURRENTLY IF EXISTS payments_order_id_user_id_idx;
DROP INDEX CONCURRENTLY IF EXISTS orders_cart_id_user_id_idx;
DROP INDEX CONCURRENTLY IF EXISTS orders_billing_address_id_user_id_idx;
DROP INDEX CONCURRENTLY IF EXISTS orders_shipping_address_id_user_id_idx;
DROP INDEX CONCURRENTLY IF EXISTS orders_id_user_id_key;
DROP INDEX CONCURRENTLY IF EXISTS carts_id_user_id_key;
DROP INDEX CONCURRENTLY IF EXISTS addresses_id_user_id_key;
RESET statement_timeout;
RESET lock_timeout;
