-- Reviews of products, one per user per product, with their media.
-- New tables only: their indexes are built in the same transaction, so no CONCURRENTLY.
-- depends: 0007_payments
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

CREATE TABLE reviews (
    id                   uuid        NOT NULL DEFAULT uuid_generate_v7(),
    product_id           uuid        NOT NULL,
    user_id              uuid,
    order_id             uuid,
    rating               integer     NOT NULL,
    title                text,
    content              text,
    is_verified_purchase boolean     NOT NULL DEFAULT false,
    status               text        NOT NULL DEFAULT 'PENDING',
    helpful_count        integer     NOT NULL DEFAULT 0,
    not_helpful_count    integer     NOT NULL DEFAULT 0,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    deleted_at           timestamptz,
    CONSTRAINT reviews_pkey PRIMARY KEY (id),
    CONSTRAINT reviews_product_id_fkey FOREIGN KEY (product_id)
        REFERENCES products (id) ON DELETE CASCADE,
    CONSTRAINT reviews_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT reviews_order_id_fkey FOREIGN KEY (order_id)
        REFERENCES orders (id) ON DELETE SET NULL,
    CONSTRAINT reviews_product_id_user_id_key UNIQUE (product_id, user_id),
    CONSTRAINT reviews_rating_check CHECK (rating BETWEEN 1 AND 5),
    CONSTRAINT reviews_status_check CHECK (status IN ('PENDING', 'APPROVED', 'REJECTED')),
    CONSTRAINT reviews_helpful_count_check CHECK (helpful_count >= 0),
    CONSTRAINT reviews_not_helpful_count_check CHECK (not_helpful_count >= 0)
);
COMMENT ON TABLE reviews IS 'Product reviews, one per user per product; soft-deleted through deleted_at; kept (user_id NULL) when the user goes.';
COMMENT ON COLUMN reviews.order_id IS 'The order that proves a verified purchase, if any.';
CREATE INDEX reviews_product_id_status_created_at_idx ON reviews (product_id, status, created_at DESC)
    WHERE deleted_at IS NULL;
CREATE INDEX reviews_user_id_idx ON reviews (user_id);
CREATE INDEX reviews_order_id_idx ON reviews (order_id);
CREATE INDEX reviews_deleted_at_idx ON reviews (deleted_at) WHERE deleted_at IS NOT NULL;
CREATE TRIGGER reviews_set_updated_at BEFORE UPDATE ON reviews
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE review_media (
    review_id  uuid        NOT NULL,
    media_id   uuid        NOT NULL,
    sort_order integer     NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT review_media_pkey PRIMARY KEY (review_id, media_id),
    CONSTRAINT review_media_review_id_fkey FOREIGN KEY (review_id)
        REFERENCES reviews (id) ON DELETE CASCADE,
    CONSTRAINT review_media_media_id_fkey FOREIGN KEY (media_id)
        REFERENCES media (id) ON DELETE CASCADE,
    CONSTRAINT review_media_sort_order_check CHECK (sort_order >= 0)
);
COMMENT ON TABLE review_media IS 'Photos and videos attached to a review, in display order.';
CREATE INDEX review_media_media_id_idx ON review_media (media_id);
CREATE TRIGGER review_media_set_updated_at BEFORE UPDATE ON review_media
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
