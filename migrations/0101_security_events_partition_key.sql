-- Issue 19, point 4, online step 1 of 4 (security_events becomes partitioned by month):
-- the unique index on (id, created_at) that the partitioned table's primary key will adopt
-- when the present table is attached as its first partition (0104). Built CONCURRENTLY,
-- outside a transaction: writes go on. A failed build leaves an INVALID index, which
-- IF NOT EXISTS would take for done: so drop any index of that name first.
-- transactional: false
-- squawk-disable-assume-in-transaction
-- depends: 0100_month_partitions
SET lock_timeout = '5s';
SET statement_timeout = '30min';
DROP INDEX CONCURRENTLY IF EXISTS security_events_id_created_at_key;
-- squawk-ignore prefer-robust-stmts -- the DROP above makes a rerun safe; IF NOT EXISTS would keep an INVALID index
CREATE UNIQUE INDEX CONCURRENTLY security_events_id_created_at_key ON security_events (id, created_at);
RESET statement_timeout;
RESET lock_timeout;
