-- Undo 0009: drop coupon usages, coupons and the counting function.
-- squawk-ignore-file ban-drop-table -- a rollback drops exactly what its migration created
-- squawk-ignore-file ban-drop-function -- the function exists only for these tables
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
DROP TABLE coupon_usages;
DROP FUNCTION coupon_usages_count();
DROP TABLE coupons;
