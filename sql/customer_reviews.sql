-- A customer's own reviews: every statement carries the owner (user_id = :user_id).

-- name: get(id, user_id)^
-- The customer's review with this id, in any status, unless deleted.
SELECT id, product_id, user_id, order_id, rating, title, content, is_verified_purchase,
       status, helpful_count, not_helpful_count, created_at, updated_at
  FROM reviews
 WHERE id = :id AND user_id = :user_id AND deleted_at IS NULL;
