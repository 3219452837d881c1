-- Coupons: discount codes, stored upper case (coupons_code_check), looked up in any case.
-- usage_count is kept by the coupon_usages_count trigger: no query here writes it.

-- name: create(code, description, type, value, min_order_amount, max_discount_amount, usage_limit, per_user_limit, starts_at, expires_at, is_active)<!
-- Insert a new coupon and return it.
INSERT INTO coupons (code, description, type, value, min_order_amount, max_discount_amount,
                     usage_limit, per_user_limit, starts_at, expires_at, is_active)
VALUES (:code, :description, :type, :value, :min_order_amount, :max_discount_amount,
        :usage_limit, :per_user_limit, :starts_at, :expires_at, :is_active)
RETURNING id, code, description, type, value, min_order_amount, max_discount_amount,
          usage_limit, per_user_limit, usage_count, starts_at, expires_at, is_active, created_at,
          updated_at;

-- name: get_by_code(code)^
-- The coupon with this code in any letter case (codes are stored upper case).
SELECT id, code, description, type, value, min_order_amount, max_discount_amount,
       usage_limit, per_user_limit, usage_count, starts_at, expires_at, is_active, created_at,
          updated_at
  FROM coupons
 WHERE code = upper(:code);

-- name: deactivate(code)<!
-- Make the active coupon with this code unusable; None when there is none or it is inactive.
UPDATE coupons
   SET is_active = false
 WHERE code = upper(:code) AND is_active
RETURNING id, code, description, type, value, min_order_amount, max_discount_amount,
          usage_limit, per_user_limit, usage_count, starts_at, expires_at, is_active, created_at,
          updated_at;

-- name: lock_coupon(code)^
-- The coupon with this code in any letter case, row-locked (NO KEY UPDATE): its usages wait.
SELECT id, code, description, type, value, min_order_amount, max_discount_amount,
       usage_limit, per_user_limit, usage_count, starts_at, expires_at, is_active, created_at,
       updated_at
  FROM coupons
 WHERE code = upper(:code)
   FOR NO KEY UPDATE;

-- name: update(id, set_description, description, set_value, value, set_min_order_amount, min_order_amount, set_max_discount_amount, max_discount_amount, set_usage_limit, usage_limit, set_per_user_limit, per_user_limit, set_starts_at, starts_at, set_expires_at, expires_at)<!
-- Change the terms whose set_ flag is true; the CHECKs of coupons judge the result.
UPDATE coupons
   SET description         = CASE WHEN :set_description THEN :description ELSE description END,
       value               = CASE WHEN :set_value THEN :value ELSE value END,
       min_order_amount    = CASE WHEN :set_min_order_amount THEN :min_order_amount
                                  ELSE min_order_amount END,
       max_discount_amount = CASE WHEN :set_max_discount_amount THEN :max_discount_amount
                                  ELSE max_discount_amount END,
       usage_limit         = CASE WHEN :set_usage_limit THEN :usage_limit ELSE usage_limit END,
       per_user_limit      = CASE WHEN :set_per_user_limit THEN :per_user_limit
                                  ELSE per_user_limit END,
       starts_at           = CASE WHEN :set_starts_at THEN :starts_at ELSE starts_at END,
       expires_at          = CASE WHEN :set_expires_at THEN :expires_at ELSE expires_at END
 WHERE id = :id
RETURNING id, code, description, type, value, min_order_amount, max_discount_amount,
          usage_limit, per_user_limit, usage_count, starts_at, expires_at, is_active, created_at,
          updated_at;

-- name: list_coupons(is_active, after_created_at, after_id, limit)
-- One keyset page of the coupons, newest first; only active or inactive ones unless is_active is None.
SELECT id, code, description, type, value, min_order_amount, max_discount_amount,
       usage_limit, per_user_limit, usage_count, starts_at, expires_at, is_active, created_at,
       updated_at
  FROM coupons
 WHERE (CAST(:is_active AS boolean) IS NULL OR is_active = :is_active)
   AND (created_at, id) < (:after_created_at, :after_id)
 ORDER BY created_at DESC, id DESC
 LIMIT :limit;

-- name: check_by_code(code, user_id)^
-- The rules of the coupon with this code, its date window judged by the database clock, and how often the user used it.
SELECT id, code, type, value, min_order_amount, max_discount_amount, usage_limit,
       usage_count, per_user_limit, is_active,
       (SELECT count(*)
          FROM coupon_usages AS u
         WHERE u.coupon_id = coupons.id AND u.user_id = :user_id) AS user_usage_count,
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
