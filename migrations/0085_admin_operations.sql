-- The admin operations of issue 21 point 6 that the schema must hold:
--   * a per-user usage limit of a coupon (coupons.per_user_limit), refused by the constraint
--     trigger coupon_usages_per_user_limit_check also under concurrent checkouts of one
--     user: the coupon_usages_count trigger (which fires first, by name) updates the coupon
--     row, so two usages of one coupon queue on that row lock; the check then counts the
--     user's usages with a fresh snapshot (READ COMMITTED) and sees the other one committed,
--     or the row update fails with 40001 (REPEATABLE READ, SERIALIZABLE) and is retried;
--   * product_ratings, the read model of the products' ratings: the count of approved live
--     reviews per star, kept by the reviews_rate trigger in the transaction of every
--     moderation, deletion or rating change, so reviews.rating_summary reads one row
--     instead of aggregating every review of the product.
-- product_ratings is a new table (its index is built here); coupons gets a nullable column
-- (no rewrite) and a NOT VALID check (no scan). The (coupon_id, user_id) index the per-user
-- count walks is built CONCURRENTLY by 0086.
-- depends: 0062_review_votes
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

ALTER TABLE coupons ADD COLUMN per_user_limit integer;
ALTER TABLE coupons ADD CONSTRAINT coupons_per_user_limit_check CHECK (per_user_limit > 0) NOT VALID;
COMMENT ON COLUMN coupons.per_user_limit IS 'How many times one user may use the coupon; NULL for no per-user limit.';

CREATE FUNCTION coupon_usages_within_user_limit() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  user_limit integer;
BEGIN
  IF NEW.user_id IS NULL THEN
    RETURN NULL;
  END IF;
  -- The coupon row is locked already by coupon_usages_count, which fired before this trigger.
  SELECT per_user_limit INTO user_limit FROM coupons WHERE id = NEW.coupon_id;
  IF user_limit IS NOT NULL
     AND (SELECT count(*) FROM coupon_usages
           WHERE coupon_id = NEW.coupon_id AND user_id = NEW.user_id) > user_limit THEN
    RAISE EXCEPTION 'a user cannot use a coupon more often than its per-user limit'
      USING ERRCODE = 'check_violation', CONSTRAINT = 'coupon_usages_per_user_limit_check',
            TABLE = 'coupon_usages';
  END IF;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION coupon_usages_within_user_limit() IS 'Constraint trigger: a user''s usages of a coupon stay within its per_user_limit.';
CREATE CONSTRAINT TRIGGER coupon_usages_per_user_limit_check
    AFTER INSERT OR UPDATE OF coupon_id, user_id ON coupon_usages
    FOR EACH ROW EXECUTE FUNCTION coupon_usages_within_user_limit();

CREATE TABLE product_ratings (
    product_id   uuid        NOT NULL,
    rating_count integer     NOT NULL DEFAULT 0,
    one_star     integer     NOT NULL DEFAULT 0,
    two_stars    integer     NOT NULL DEFAULT 0,
    three_stars  integer     NOT NULL DEFAULT 0,
    four_stars   integer     NOT NULL DEFAULT 0,
    five_stars   integer     NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT product_ratings_pkey PRIMARY KEY (product_id),
    CONSTRAINT product_ratings_product_id_fkey FOREIGN KEY (product_id)
        REFERENCES products (id) ON DELETE CASCADE,
    CONSTRAINT product_ratings_rating_count_nonnegative_check CHECK (rating_count >= 0),
    CONSTRAINT product_ratings_stars_check CHECK (
        one_star >= 0 AND two_stars >= 0 AND three_stars >= 0 AND four_stars >= 0
        AND five_stars >= 0),
    CONSTRAINT product_ratings_rating_count_check CHECK (
        rating_count = one_star + two_stars + three_stars + four_stars + five_stars)
);
COMMENT ON TABLE product_ratings IS 'The approved live reviews of each product, counted per star; kept by the reviews_rate trigger.';
CREATE TRIGGER product_ratings_set_updated_at BEFORE UPDATE ON product_ratings
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE FUNCTION reviews_rate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'APPROVED' AND OLD.deleted_at IS NULL THEN
    UPDATE product_ratings
       SET rating_count = rating_count - 1,
           one_star    = one_star    - (OLD.rating = 1)::int,
           two_stars   = two_stars   - (OLD.rating = 2)::int,
           three_stars = three_stars - (OLD.rating = 3)::int,
           four_stars  = four_stars  - (OLD.rating = 4)::int,
           five_stars  = five_stars  - (OLD.rating = 5)::int
     WHERE product_id = OLD.product_id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'APPROVED' AND NEW.deleted_at IS NULL THEN
    INSERT INTO product_ratings AS r
           (product_id, rating_count, one_star, two_stars, three_stars, four_stars, five_stars)
    VALUES (NEW.product_id, 1, (NEW.rating = 1)::int, (NEW.rating = 2)::int,
            (NEW.rating = 3)::int, (NEW.rating = 4)::int, (NEW.rating = 5)::int)
    ON CONFLICT (product_id) DO UPDATE
       SET rating_count = r.rating_count + 1,
           one_star    = r.one_star    + excluded.one_star,
           two_stars   = r.two_stars   + excluded.two_stars,
           three_stars = r.three_stars + excluded.three_stars,
           four_stars  = r.four_stars  + excluded.four_stars,
           five_stars  = r.five_stars  + excluded.five_stars;
  END IF;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION reviews_rate() IS 'AFTER trigger: keeps product_ratings equal to the approved live reviews of each product.';
CREATE TRIGGER reviews_rate
    AFTER INSERT OR DELETE OR UPDATE OF status, rating, deleted_at, product_id ON reviews
    FOR EACH ROW EXECUTE FUNCTION reviews_rate();

INSERT INTO product_ratings
       (product_id, rating_count, one_star, two_stars, three_stars, four_stars, five_stars)
SELECT product_id, count(*), count(*) FILTER (WHERE rating = 1),
       count(*) FILTER (WHERE rating = 2), count(*) FILTER (WHERE rating = 3),
       count(*) FILTER (WHERE rating = 4), count(*) FILTER (WHERE rating = 5)
  FROM reviews
 WHERE status = 'APPROVED' AND deleted_at IS NULL
 GROUP BY product_id;
