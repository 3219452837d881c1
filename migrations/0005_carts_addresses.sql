-- Carts, their items, and the address book of each user.
-- New tables only: their indexes are built in the same transaction, so no CONCURRENTLY.
-- depends: 0004_media
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

CREATE TABLE carts (
    id         uuid        NOT NULL DEFAULT uuid_generate_v7(),
    user_id    uuid,
    session_id text,
    status     text        NOT NULL DEFAULT 'ACTIVE',
    expires_at timestamptz,
    version    integer     NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT carts_pkey PRIMARY KEY (id),
    CONSTRAINT carts_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT carts_status_check CHECK (status IN ('ACTIVE', 'CHECKED_OUT', 'ABANDONED')),
    CONSTRAINT carts_expires_at_check CHECK (expires_at > created_at),
    CONSTRAINT carts_version_check CHECK (version >= 1)
);
COMMENT ON TABLE carts IS 'Shopping carts of users or guest sessions; kept (user_id NULL) when the user goes; version for optimistic locking.';
COMMENT ON COLUMN carts.session_id IS 'The guest session that owns the cart before login.';
CREATE INDEX carts_user_id_idx ON carts (user_id);
CREATE UNIQUE INDEX carts_user_id_active_key ON carts (user_id) WHERE status = 'ACTIVE';
CREATE INDEX carts_session_id_idx ON carts (session_id);
CREATE INDEX carts_status_updated_at_idx ON carts (status, updated_at);
CREATE TRIGGER carts_set_updated_at BEFORE UPDATE ON carts
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE cart_items (
    id                 uuid          NOT NULL DEFAULT uuid_generate_v7(),
    cart_id            uuid          NOT NULL,
    product_variant_id uuid          NOT NULL,
    quantity           integer       NOT NULL,
    unit_price         numeric(12,2) NOT NULL,
    created_at         timestamptz   NOT NULL DEFAULT now(),
    updated_at         timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT cart_items_pkey PRIMARY KEY (id),
    CONSTRAINT cart_items_cart_id_fkey FOREIGN KEY (cart_id)
        REFERENCES carts (id) ON DELETE CASCADE,
    CONSTRAINT cart_items_product_variant_id_fkey FOREIGN KEY (product_variant_id)
        REFERENCES product_variants (id) ON DELETE CASCADE,
    CONSTRAINT cart_items_cart_id_product_variant_id_key UNIQUE (cart_id, product_variant_id),
    CONSTRAINT cart_items_quantity_check CHECK (quantity > 0),
    CONSTRAINT cart_items_unit_price_check CHECK (unit_price >= 0)
);
COMMENT ON TABLE cart_items IS 'Lines of a cart, one per variant; deleted with the cart.';
CREATE INDEX cart_items_product_variant_id_idx ON cart_items (product_variant_id);
CREATE TRIGGER cart_items_set_updated_at BEFORE UPDATE ON cart_items
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE addresses (
    id          uuid        NOT NULL DEFAULT uuid_generate_v7(),
    user_id     uuid        NOT NULL,
    label       text,
    full_name   text        NOT NULL,
    phone       text,
    line1       text        NOT NULL,
    line2       text,
    city        text        NOT NULL,
    state       text,
    postal_code text,
    country     text        NOT NULL,
    is_default  boolean     NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    deleted_at  timestamptz,
    CONSTRAINT addresses_pkey PRIMARY KEY (id),
    CONSTRAINT addresses_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT addresses_country_check CHECK (country ~ '^[A-Z]{2}$'),
    CONSTRAINT addresses_phone_check CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
    CONSTRAINT addresses_full_name_check CHECK (length(full_name) BETWEEN 1 AND 200)
);
COMMENT ON TABLE addresses IS 'A user''s address book; soft-deleted through deleted_at; at most one live default per user.';
COMMENT ON COLUMN addresses.country IS 'ISO 3166-1 alpha-2 code (TR, DE, ...).';
CREATE INDEX addresses_user_id_idx ON addresses (user_id);
CREATE UNIQUE INDEX addresses_user_id_is_default_key ON addresses (user_id)
    WHERE is_default AND deleted_at IS NULL;
CREATE INDEX addresses_deleted_at_idx ON addresses (deleted_at) WHERE deleted_at IS NOT NULL;
CREATE TRIGGER addresses_set_updated_at BEFORE UPDATE ON addresses
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
