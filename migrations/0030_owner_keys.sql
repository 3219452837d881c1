-- Owner keys: UNIQUE (id, user_id) on the rows an order or a payment points at (addresses,
-- carts, orders), so that composite foreign keys (0031) can say that they belong to the same
-- user. id alone is unique already; these indexes only give the foreign keys their target.
-- The referencing side gets (pointer, user_id) indexes, so that deleting an address, a cart
-- or an order finds its referencing rows through them; the (shipping_address_id),
-- (billing_address_id) and (order_id) indexes they begin with are dropped (a composite index
-- serves every lookup of its first column), orders_cart_id_key stays (one order per cart).
-- The tables are live: each index is built CONCURRENTLY, outside a transaction; an INVALID
-- index left by a failed build is dropped first.
-- transactional: false
-- squawk-disable-assume-in-transaction
-- depends: 0022_category_subtree_is_wide
SET lock_timeout = '5s';
SET statement_timeout = '30min';
DROP INDEX CONCURRENTLY IF EXISTS addresses_id_user_id_key;
-- squawk-ignore prefer-robust-stmts -- the DROP above makes a rerun safe; IF NOT EXISTS would keep an INVALID index
CREATE UNIQUE INDEX CONCURRENTLY addresses_id_user_id_key ON addresses (id, user_id);
DROP INDEX CONCURRENTLY IF EXISTS carts_id_user_id_key;
-- squawk-ignore prefer-robust-stmts -- the DROP above makes a rerun safe; IF NOT EXISTS would keep an INVALID index
CREATE UNIQUE INDEX CONCURRENTLY carts_id_user_id_key ON carts (id, user_id);
DROP INDEX CONCURRENTLY IF EXISTS orders_id_user_id_key;
-- squawk-ignore prefer-robust-stmts -- the DROP above makes a rerun safe; IF NOT EXISTS would keep an INVALID index
CREATE UNIQUE INDEX CONCURRENTLY orders_id_user_id_key ON orders (id, user_id);
DROP INDEX CONCURRENTLY IF EXISTS orders_shipping_address_id_user_id_idx;
-- squawk-ignore prefer-robust-stmts -- the DROP above makes a rerun safe; IF NOT EXISTS would keep an INVALID index
CREATE INDEX CONCURRENTLY orders_shipping_address_id_user_id_idx
    ON orders (shipping_address_id, user_id);
DROP INDEX CONCURRENTLY IF EXISTS orders_billing_address_id_user_id_idx;
-- squawk-ignore prefer-robust-stmts -- the DROP above makes a rerun safe; IF NOT EXISTS would keep an INVALID index
CREATE INDEX CONCURRENTLY orders_billing_address_id_user_id_idx
    ON orders (billing_address_id, user_id);
DROP INDEX CONCURRENTLY IF EXISTS orders_cart_id_user_id_idx;
-- squawk-ignore prefer-robust-stmts -- the DROP above makes a rerun safe; IF NOT EXISTS would keep an INVALID index
CREATE INDEX CONCURRENTLY orders_cart_id_user_id_idx ON orders (cart_id, user_id);
DROP INDEX CONCURRENTLY IF EXISTS payments_order_id_user_id_idx;
-- squawk-ignore prefer-robust-stmts -- the DROP above makes a rerun safe; IF NOT EXISTS would keep an INVALID index
CREATE INDEX CONCURRENTLY payments_order_id_user_id_idx ON payments (order_id, user_id);
DROP INDEX CONCURRENTLY IF EXISTS orders_shipping_address_id_idx;
DROP INDEX CONCURRENTLY IF EXISTS orders_billing_address_id_idx;
DROP INDEX CONCURRENTLY IF EXISTS payments_order_id_idx;
RESET statement_timeout;
RESET lock_timeout;
