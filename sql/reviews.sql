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

-- name: lock_for_moderation(id)^
-- The moderation status of the live review with this id, row-locked (NO KEY UPDATE).
SELECT id, status
  FROM reviews
 WHERE id = :id AND deleted_at IS NULL
   FOR NO KEY UPDATE;

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
-- Count, average (2 decimals) and count per star of a product's approved reviews, read from the product_ratings read model.
SELECT coalesce(r.rating_count, 0) AS count,
       CASE WHEN r.rating_count > 0
            THEN round((r.one_star + 2 * r.two_stars + 3 * r.three_stars + 4 * r.four_stars
                        + 5 * r.five_stars)::numeric / r.rating_count, 2)
       END AS average,
       coalesce(r.one_star, 0) AS one_star,
       coalesce(r.two_stars, 0) AS two_stars,
       coalesce(r.three_stars, 0) AS three_stars,
       coalesce(r.four_stars, 0) AS four_stars,
       coalesce(r.five_stars, 0) AS five_stars
  FROM (SELECT CAST(:product_id AS uuid) AS product_id) AS wanted
  LEFT JOIN product_ratings AS r ON r.product_id = wanted.product_id;

-- name: lock_for_vote(id)^
-- The approved review with this id of an ACTIVE live product, row-locked (NO KEY UPDATE) so a user's votes on it queue.
SELECT r.id, r.product_id, r.user_id, r.order_id, r.rating, r.title, r.content,
       r.is_verified_purchase, r.status, r.helpful_count, r.not_helpful_count, r.created_at,
       r.updated_at
  FROM reviews AS r
  JOIN products AS p ON p.id = r.product_id
 WHERE r.id = :id AND r.status = 'APPROVED' AND r.deleted_at IS NULL
   AND p.status = 'ACTIVE' AND p.deleted_at IS NULL
   FOR NO KEY UPDATE OF r;

-- name: vote(id, user_id, helpful)<!
-- Record the user's vote on the review (a second vote replaces the first) and move the counters by the difference; run under lock_for_vote.
WITH previous AS (
    SELECT helpful FROM review_votes WHERE review_id = :id AND user_id = :user_id
), cast_vote AS (
    INSERT INTO review_votes (review_id, user_id, helpful)
    VALUES (:id, :user_id, :helpful)
    ON CONFLICT (review_id, user_id) DO UPDATE SET helpful = excluded.helpful
    RETURNING helpful
)
UPDATE reviews AS r
   SET helpful_count     = r.helpful_count + cast_vote.helpful::int
                           - coalesce((SELECT helpful::int FROM previous), 0),
       not_helpful_count = r.not_helpful_count + (NOT cast_vote.helpful)::int
                           - coalesce((SELECT (NOT helpful)::int FROM previous), 0)
  FROM cast_vote
 WHERE r.id = :id
RETURNING r.id, r.product_id, r.user_id, r.order_id, r.rating, r.title, r.content,
          r.is_verified_purchase, r.status, r.helpful_count, r.not_helpful_count,
          r.created_at, r.updated_at;

-- name: erase_text_for_user(user_id)!
-- Blank the title and text of every review of a user for an erasure; ratings and counts stay.
UPDATE reviews
   SET title = NULL, content = NULL
 WHERE user_id = :user_id AND (title IS NOT NULL OR content IS NOT NULL);

-- name: soft_delete(id)<!
-- Take a live review down (deleted_at); the reviews_rate trigger takes it out of its product's rating.
UPDATE reviews
   SET deleted_at = now()
 WHERE id = :id AND deleted_at IS NULL
RETURNING id, product_id, user_id, order_id, rating, title, content, is_verified_purchase,
          status, helpful_count, not_helpful_count, created_at, updated_at;

-- name: add_media(review_id, media_id, sort_order)<!
-- Attach a media item to a live review at sort_order, or after its last one when None.
INSERT INTO review_media (review_id, media_id, sort_order)
SELECT r.id, :media_id,
       coalesce(:sort_order,
                (SELECT max(m.sort_order) + 1 FROM review_media AS m WHERE m.review_id = r.id),
                0)
  FROM reviews AS r
 WHERE r.id = :review_id AND r.deleted_at IS NULL
RETURNING review_id, media_id, sort_order, created_at, updated_at;

-- name: remove_media(review_id, media_id)<!
-- Detach a media item from a review; the link as it was, None when there was none.
DELETE FROM review_media
 WHERE review_id = :review_id AND media_id = :media_id
RETURNING review_id, media_id, sort_order, created_at, updated_at;

-- name: list_media(review_id)
-- The media of a live review in sort order (ties by media id), with what a page shows of each.
SELECT rm.review_id, rm.media_id, rm.sort_order, m.url, m.type, m.mime_type, m.width,
       m.height, m.alt, m.caption
  FROM review_media AS rm
  JOIN reviews AS r ON r.id = rm.review_id
  JOIN media AS m ON m.id = rm.media_id
 WHERE rm.review_id = :review_id AND r.deleted_at IS NULL
 ORDER BY rm.sort_order, rm.media_id;
