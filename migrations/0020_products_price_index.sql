-- Index live products by (status, price, id): list_active sorted by price (list_by_price,
-- list_by_price_desc and their category and collection shapes) seeks and walks it, its
-- price range an index condition; without it every price-sorted page sorted every product
-- of the status (docs/performance.md, the catalog section).
-- products is a live table: the index is built CONCURRENTLY, outside a transaction. A failed
-- concurrent build leaves an INVALID index behind, which IF NOT EXISTS would then take for
-- done: so drop any index of that name first, then build it again.
-- transactional: false
-- squawk-disable-assume-in-transaction
-- depends: 0019_order_idempotency
SET lock_timeout = '5s';
SET statement_timeout = '30min';
DROP INDEX CONCURRENTLY IF EXISTS products_status_price_idx;
-- squawk-ignore prefer-robust-stmts -- the DROP above makes a rerun safe; IF NOT EXISTS would keep an INVALID index
CREATE INDEX CONCURRENTLY products_status_price_idx ON products (status, price, id)
    WHERE deleted_at IS NULL;
RESET statement_timeout;
RESET lock_timeout;
