-- Undo 0085: the ratings read model and its trigger, the per-user coupon limit.
-- squawk-ignore-file ban-drop-table,ban-drop-column,ban-drop-function,ban-drop-constraint -- a rollback drops exactly what its migration created
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
DROP TRIGGER IF EXISTS reviews_rate ON reviews;
DROP FUNCTION IF EXISTS reviews_rate();
DROP TABLE IF EXISTS product_ratings;
DROP TRIGGER IF EXISTS coupon_usages_per_user_limit_check ON coupon_usages;
DROP FUNCTION IF EXISTS coupon_usages_within_user_limit();
ALTER TABLE coupons DROP CONSTRAINT IF EXISTS coupons_per_user_limit_check;
ALTER TABLE coupons DROP COLUMN IF EXISTS per_user_limit;
