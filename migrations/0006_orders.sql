-- Orders and their items. Orders outlive their user (user_id NULL) and keep snapshots of
-- what was bought and where it went, so later edits of products or addresses change nothing.
-- New tables only: their indexes are built in the same transaction, so no CONCURRENTLY.
-- depends: 0005_carts_addresses
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

CREATE TABLE orders (
    id                        uuid          NOT NULL DEFAULT uuid_generate_v7(),
    reference                 text          NOT NULL,
    user_id                   uuid,
    cart_id                   uuid,
    status                    text          NOT NULL DEFAULT 'PENDING',
    total_amount              numeric(12,2) NOT NULL,
    subtotal_amount           numeric(12,2) NOT NULL,
    tax_amount                numeric(12,2) NOT NULL DEFAULT 0,
    discount_amount           numeric(12,2) NOT NULL DEFAULT 0,
    currency                  text          NOT NULL DEFAULT 'TRY',
    shipping_address_id       uuid,
    billing_address_id        uuid,
    shipping_address_snapshot jsonb,
    billing_address_snapshot  jsonb,
    placed_at                 timestamptz,
    fulfilled_at              timestamptz,
    shipped_at                timestamptz,
    delivered_at              timestamptz,
    cancelled_at              timestamptz,
    notes                     text,
    metadata                  jsonb         NOT NULL DEFAULT '{}',
    version                   integer       NOT NULL DEFAULT 1,
    created_at                timestamptz   NOT NULL DEFAULT now(),
    updated_at                timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT orders_pkey PRIMARY KEY (id),
    CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT orders_cart_id_fkey FOREIGN KEY (cart_id)
        REFERENCES carts (id) ON DELETE SET NULL,
    CONSTRAINT orders_shipping_address_id_fkey FOREIGN KEY (shipping_address_id)
        REFERENCES addresses (id) ON DELETE SET NULL,
    CONSTRAINT orders_billing_address_id_fkey FOREIGN KEY (billing_address_id)
        REFERENCES addresses (id) ON DELETE SET NULL,
    CONSTRAINT orders_reference_key UNIQUE (reference),
    CONSTRAINT orders_cart_id_key UNIQUE (cart_id),
    CONSTRAINT orders_reference_check CHECK (reference ~ '^[A-Z0-9][A-Z0-9-]{3,39}$'),
    CONSTRAINT orders_status_check
        CHECK (status IN ('PENDING', 'PAID', 'FULFILLED', 'SHIPPED', 'DELIVERED', 'CANCELLED')),
    CONSTRAINT orders_total_amount_check CHECK (total_amount >= 0),
    CONSTRAINT orders_subtotal_amount_check CHECK (subtotal_amount >= 0),
    CONSTRAINT orders_tax_amount_check CHECK (tax_amount >= 0),
    CONSTRAINT orders_discount_amount_check CHECK (discount_amount >= 0),
    CONSTRAINT orders_total_amount_sum_check
        CHECK (total_amount = subtotal_amount + tax_amount - discount_amount),
    CONSTRAINT orders_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT orders_metadata_check CHECK (jsonb_typeof(metadata) = 'object'),
    CONSTRAINT orders_version_check CHECK (version >= 1)
);
COMMENT ON TABLE orders IS 'Placed orders; kept (user_id NULL) when the user goes; cannot be deleted once it has payments; version for optimistic locking.';
COMMENT ON COLUMN orders.reference IS 'The order number shown to customers (upper case letters, digits, dashes).';
COMMENT ON COLUMN orders.total_amount IS 'Always subtotal_amount + tax_amount - discount_amount (orders_total_amount_sum_check).';
COMMENT ON COLUMN orders.cart_id IS 'The cart checked out into this order; one order per cart, which makes checkout idempotent.';
COMMENT ON COLUMN orders.shipping_address_snapshot IS 'The shipping address as it was when the order was placed.';
CREATE INDEX orders_user_id_status_created_at_idx ON orders (user_id, status, created_at DESC);
CREATE INDEX orders_status_created_at_idx ON orders (status, created_at DESC);
CREATE INDEX orders_shipping_address_id_idx ON orders (shipping_address_id);
CREATE INDEX orders_billing_address_id_idx ON orders (billing_address_id);
CREATE TRIGGER orders_set_updated_at BEFORE UPDATE ON orders
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE order_items (
    id                 uuid          NOT NULL DEFAULT uuid_generate_v7(),
    order_id           uuid          NOT NULL,
    product_id         uuid,
    product_variant_id uuid,
    quantity           integer       NOT NULL,
    unit_price         numeric(12,2) NOT NULL,
    currency           text          NOT NULL DEFAULT 'TRY',
    title_snapshot     text          NOT NULL,
    variant_snapshot   jsonb         NOT NULL DEFAULT '{}',
    created_at         timestamptz   NOT NULL DEFAULT now(),
    updated_at         timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT order_items_pkey PRIMARY KEY (id),
    CONSTRAINT order_items_order_id_fkey FOREIGN KEY (order_id)
        REFERENCES orders (id) ON DELETE CASCADE,
    CONSTRAINT order_items_product_id_fkey FOREIGN KEY (product_id)
        REFERENCES products (id) ON DELETE SET NULL,
    CONSTRAINT order_items_product_variant_id_fkey FOREIGN KEY (product_variant_id)
        REFERENCES product_variants (id) ON DELETE SET NULL,
    CONSTRAINT order_items_quantity_check CHECK (quantity > 0),
    CONSTRAINT order_items_unit_price_check CHECK (unit_price >= 0),
    CONSTRAINT order_items_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT order_items_variant_snapshot_check CHECK (jsonb_typeof(variant_snapshot) = 'object')
);
COMMENT ON TABLE order_items IS 'Lines of an order with snapshots of the product; the product links go NULL if the product is deleted.';
CREATE INDEX order_items_order_id_idx ON order_items (order_id);
CREATE INDEX order_items_product_id_idx ON order_items (product_id);
CREATE INDEX order_items_product_variant_id_idx ON order_items (product_variant_id);
CREATE TRIGGER order_items_set_updated_at BEFORE UPDATE ON order_items
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
