-- Reviews: one per user per product (reviews_product_id_user_id_key), moderated before they
-- are listed. A review is a verified purchase when the user has a DELIVERED order with the
-- product; the newest such order is recorded as the proof.

-- name: submit(product_id, user_id, rating, title, content)<!
-- Insert a PENDING review, verified when a delivered order of the user holds the product.
INSERT INTO reviews (product_id, user_id, order_id, rating, title, content,
                     is_verified_purchase)
SELECT :product_id, :user_id, proof.order_id, :rating, :title, :content,
       proof.order_id IS NOT NULL
  FROM (SELECT (SELECT o.id
                  FROM orders AS o
                  JOIN order_items AS i ON i.order_id = o.id
                 WHERE o.user_id = :user_id
                   AND o.status = 'DELIVERED'
                   AND i.product_id = :product_id
                 ORDER BY o.delivered_at DESC NULLS LAST, o.id DESC
                 LIMIT 1) AS order_id) AS proof
RETURNING id, product_id, user_id, order_id, rating, title, content, is_verified_purchase,
          status, helpful_count, not_helpful_count, created_at, updated_at;

-- name: get(id)^
-- The review with this id, unless deleted.
SELECT id, product_id, user_id, order_id, rating, title, content, is_verified_purchase,
       status, helpful_count, not_helpful_count, created_at, updated_at
  FROM reviews
 WHERE id = :id AND deleted_at IS NULL;

-- name: moderate(id, status)<!
-- Move a review to APPROVED or REJECTED; None when it is absent or already there.
UPDATE reviews
   SET status = :status
 WHERE id = :id AND status <> :status AND deleted_at IS NULL
RETURNING id, product_id, user_id, order_id, rating, title, content, is_verified_purchase,
          status, helpful_count, not_helpful_count, created_at, updated_at;

-- name: list_approved_newest(product_id, after_created_at, after_id, limit)
-- One keyset page of a product's approved reviews, newest first.
SELECT id, product_id, user_id, order_id, rating, title, content, is_verified_purchase,
       status, helpful_count, not_helpful_count, created_at, updated_at
  FROM reviews
 WHERE product_id = :product_id
   AND status = 'APPROVED'
   AND deleted_at IS NULL
   AND (created_at, id) < (:after_created_at, :after_id)
 ORDER BY created_at DESC, id DESC
 LIMIT :limit;

-- name: list_approved_most_helpful(product_id, after_helpful_count, after_created_at, after_id, limit)
-- One keyset page of a product's approved reviews, most helpful votes first, then newest.
SELECT id, product_id, user_id, order_id, rating, title, content, is_verified_purchase,
       status, helpful_count, not_helpful_count, created_at, updated_at
  FROM reviews
 WHERE product_id = :product_id
   AND status = 'APPROVED'
   AND deleted_at IS NULL
   AND (helpful_count, created_at, id) < (:after_helpful_count, :after_created_at, :after_id)
 ORDER BY helpful_count DESC, created_at DESC, id DESC
 LIMIT :limit;

-- name: rating_summary(product_id)^
-- Count, average (2 decimals) and count per star of a product's approved reviews.
SELECT count(*) AS count,
       round(avg(rating), 2) AS average,
       count(*) FILTER (WHERE rating = 1) AS one_star,
       count(*) FILTER (WHERE rating = 2) AS two_stars,
       count(*) FILTER (WHERE rating = 3) AS three_stars,
       count(*) FILTER (WHERE rating = 4) AS four_stars,
       count(*) FILTER (WHERE rating = 5) AS five_stars
  FROM reviews
 WHERE product_id = :product_id
   AND status = 'APPROVED'
   AND deleted_at IS NULL;

-- name: vote(id, helpful)<!
-- Count one helpful (or not helpful) vote on an approved review, atomically.
UPDATE reviews
   SET helpful_count     = helpful_count + CASE WHEN :helpful THEN 1 ELSE 0 END,
       not_helpful_count = not_helpful_count + CASE WHEN :helpful THEN 0 ELSE 1 END
 WHERE id = :id AND status = 'APPROVED' AND deleted_at IS NULL
RETURNING id, product_id, user_id, order_id, rating, title, content, is_verified_purchase,
          status, helpful_count, not_helpful_count, created_at, updated_at;
