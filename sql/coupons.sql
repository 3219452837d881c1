-- Coupons: discount codes, stored upper case (coupons_code_check), looked up in any case.
-- usage_count is kept by the coupon_usages_count trigger: no query here writes it.

-- name: create(code, description, type, value, min_order_amount, max_discount_amount, usage_limit, starts_at, expires_at, is_active)<!
-- Insert a new coupon and return it.
INSERT INTO coupons (code, description, type, value, min_order_amount, max_discount_amount,
                     usage_limit, starts_at, expires_at, is_active)
VALUES (:code, :description, :type, :value, :min_order_amount, :max_discount_amount,
        :usage_limit, :starts_at, :expires_at, :is_active)
RETURNING id, code, description, type, value, min_order_amount, max_discount_amount,
          usage_limit, usage_count, starts_at, expires_at, is_active, created_at, updated_at;

-- name: get_by_code(code)^
-- The coupon with this code in any letter case (codes are stored upper case).
SELECT id, code, description, type, value, min_order_amount, max_discount_amount,
       usage_limit, usage_count, starts_at, expires_at, is_active, created_at, updated_at
  FROM coupons
 WHERE code = upper(:code);

-- name: deactivate(code)<!
-- Make the active coupon with this code unusable; None when there is none or it is inactive.
UPDATE coupons
   SET is_active = false
 WHERE code = upper(:code) AND is_active
RETURNING id, code, description, type, value, min_order_amount, max_discount_amount,
          usage_limit, usage_count, starts_at, expires_at, is_active, created_at, updated_at;

-- name: check_by_code(code)^
-- The rules of the coupon with this code, its date window judged by the database clock.
SELECT id, code, type, value, min_order_amount, max_discount_amount, usage_limit,
       usage_count, is_active,
       coalesce(starts_at <= now(), true) AS started,
       coalesce(expires_at <= now(), false) AS expired
  FROM coupons
 WHERE code = upper(:code);

-- name: record_usage(code, user_id, order_id, discount_amount)!
-- Record one use of a coupon by an order; its trigger counts it and the limit CHECK refuses one too many.
INSERT INTO coupon_usages (coupon_id, user_id, order_id, discount_amount)
SELECT id, :user_id, :order_id, :discount_amount
  FROM coupons
 WHERE code = upper(:code);
