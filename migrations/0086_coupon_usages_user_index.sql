-- Index coupon_usages by (coupon_id, user_id): the per-user limit of a coupon (0085) counts
-- one user's usages of one coupon on every usage, and coupons.validate counts them too; the
-- (coupon_id, order_id) key would walk every usage of a popular coupon.
-- coupon_usages is a live table: the index is built CONCURRENTLY, outside a transaction; an
-- INVALID index a failed build left is dropped first (IF NOT EXISTS would keep it).
-- transactional: false
-- squawk-disable-assume-in-transaction
-- depends: 0085_admin_operations
SET lock_timeout = '5s';
SET statement_timeout = '30min';
DROP INDEX CONCURRENTLY IF EXISTS coupon_usages_coupon_id_user_id_idx;
-- squawk-ignore prefer-robust-stmts -- the DROP above makes a rerun safe; IF NOT EXISTS would keep an INVALID index
CREATE INDEX CONCURRENTLY coupon_usages_coupon_id_user_id_idx ON coupon_usages (coupon_id, user_id);
RESET statement_timeout;
RESET lock_timeout;
