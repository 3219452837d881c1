-- Coupons and their usages. coupons.usage_count is kept by a trigger on coupon_usages, so
-- the CHECK usage_count <= usage_limit refuses the usage that would exceed the limit, even
-- under concurrent checkouts (the counter update locks the coupon row).
-- New tables only: their indexes are built in the same transaction, so no CONCURRENTLY.
-- depends: 0008_reviews
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

CREATE TABLE coupons (
    id                  uuid          NOT NULL DEFAULT uuid_generate_v7(),
    code                text          NOT NULL,
    description         text,
    type                text          NOT NULL,
    value               numeric(12,2) NOT NULL,
    min_order_amount    numeric(12,2),
    max_discount_amount numeric(12,2),
    usage_limit         integer,
    usage_count         integer       NOT NULL DEFAULT 0,
    starts_at           timestamptz,
    expires_at          timestamptz,
    is_active           boolean       NOT NULL DEFAULT true,
    created_at          timestamptz   NOT NULL DEFAULT now(),
    updated_at          timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT coupons_pkey PRIMARY KEY (id),
    CONSTRAINT coupons_code_key UNIQUE (code),
    CONSTRAINT coupons_code_check CHECK (code ~ '^[A-Z0-9][A-Z0-9_-]{2,63}$'),
    CONSTRAINT coupons_type_check CHECK (type IN ('PERCENTAGE', 'FIXED_AMOUNT', 'FREE_SHIPPING')),
    CONSTRAINT coupons_value_check CHECK (value >= 0),
    CONSTRAINT coupons_value_percentage_check CHECK (type <> 'PERCENTAGE' OR value <= 100),
    CONSTRAINT coupons_min_order_amount_check CHECK (min_order_amount >= 0),
    CONSTRAINT coupons_max_discount_amount_check CHECK (max_discount_amount >= 0),
    CONSTRAINT coupons_usage_limit_check CHECK (usage_limit > 0),
    CONSTRAINT coupons_usage_count_check CHECK (usage_count >= 0),
    CONSTRAINT coupons_usage_count_limit_check CHECK (usage_count <= usage_limit),
    CONSTRAINT coupons_expires_at_check CHECK (expires_at > created_at),
    CONSTRAINT coupons_expires_at_starts_at_check CHECK (expires_at > starts_at)
);
COMMENT ON TABLE coupons IS 'Discount codes with their rules, validity window and usage limit.';
COMMENT ON COLUMN coupons.code IS 'Stored upper case; callers normalise what customers type.';
COMMENT ON COLUMN coupons.usage_limit IS 'How many times the coupon may be used in all; NULL for no limit.';
COMMENT ON COLUMN coupons.usage_count IS 'Kept by the coupon_usages_count trigger: do not update it directly.';
CREATE TRIGGER coupons_set_updated_at BEFORE UPDATE ON coupons
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE coupon_usages (
    id              uuid          NOT NULL DEFAULT uuid_generate_v7(),
    coupon_id       uuid          NOT NULL,
    user_id         uuid,
    order_id        uuid          NOT NULL,
    discount_amount numeric(12,2) NOT NULL,
    used_at         timestamptz   NOT NULL DEFAULT now(),
    created_at      timestamptz   NOT NULL DEFAULT now(),
    updated_at      timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT coupon_usages_pkey PRIMARY KEY (id),
    CONSTRAINT coupon_usages_coupon_id_fkey FOREIGN KEY (coupon_id)
        REFERENCES coupons (id) ON DELETE RESTRICT,
    CONSTRAINT coupon_usages_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT coupon_usages_order_id_fkey FOREIGN KEY (order_id)
        REFERENCES orders (id) ON DELETE CASCADE,
    CONSTRAINT coupon_usages_coupon_id_order_id_key UNIQUE (coupon_id, order_id),
    CONSTRAINT coupon_usages_discount_amount_check CHECK (discount_amount >= 0)
);
COMMENT ON TABLE coupon_usages IS 'One use of a coupon by an order; a used coupon cannot be deleted (deactivate it).';
CREATE INDEX coupon_usages_user_id_idx ON coupon_usages (user_id);
CREATE INDEX coupon_usages_order_id_idx ON coupon_usages (order_id);
CREATE TRIGGER coupon_usages_set_updated_at BEFORE UPDATE ON coupon_usages
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE FUNCTION coupon_usages_count() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE coupons SET usage_count = usage_count - 1 WHERE id = OLD.coupon_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE coupons SET usage_count = usage_count + 1 WHERE id = NEW.coupon_id;
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION coupon_usages_count() IS 'AFTER trigger: keeps coupons.usage_count equal to the number of its usages.';
CREATE TRIGGER coupon_usages_count AFTER INSERT OR DELETE OR UPDATE OF coupon_id ON coupon_usages
    FOR EACH ROW EXECUTE FUNCTION coupon_usages_count();
