-- At most one live payment (INITIATED, AUTHORIZED or SETTLED) per order: a second attempt
-- starts only once the first FAILED. payments is a live table: the partial unique index is
-- built CONCURRENTLY, outside a transaction; an INVALID index left by a failed build is
-- dropped first. Orders that already hold two live payments make the build fail: settle or
-- fail the extra one first.
-- transactional: false
-- squawk-disable-assume-in-transaction
-- depends: 0040_money_and_state_rules
SET lock_timeout = '5s';
SET statement_timeout = '30min';
DROP INDEX CONCURRENTLY IF EXISTS payments_order_id_live_key;
-- squawk-ignore prefer-robust-stmts -- the DROP above makes a rerun safe; IF NOT EXISTS would keep an INVALID index
CREATE UNIQUE INDEX CONCURRENTLY payments_order_id_live_key ON payments (order_id)
    WHERE status IN ('INITIATED', 'AUTHORIZED', 'SETTLED');
RESET statement_timeout;
RESET lock_timeout;
