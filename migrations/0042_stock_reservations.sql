-- Stock accounting per order. stock_reservations records what each order reserved of each
-- variant (the units actually reserved: under the CONTINUE policy that can be fewer than
-- ordered), so that cancelling, expiring or fulfilling an order returns or sells exactly
-- that order's units, whatever the variant's inventory policy is or becomes. A row is
-- RESERVED until the order is fulfilled (SOLD) or cancelled (RELEASED). A row of 0 units says
-- the order reserved nothing of the variant (CONTINUE, none available); an order without rows
-- was placed before this migration (its items are released or sold as before).
-- Also: a cart line holds at most 1000 units (NOT VALID: no scan; new writes only).
-- New table: its indexes are built in the same transaction, so no CONCURRENTLY.
-- depends: 0041_one_live_payment
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

ALTER TABLE cart_items ADD CONSTRAINT cart_items_quantity_max_check
    CHECK (quantity <= 1000) NOT VALID;

CREATE TABLE stock_reservations (
    id                 uuid        NOT NULL DEFAULT uuid_generate_v7(),
    order_id           uuid        NOT NULL,
    product_variant_id uuid        NOT NULL,
    quantity           integer     NOT NULL,
    state              text        NOT NULL DEFAULT 'RESERVED',
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT stock_reservations_pkey PRIMARY KEY (id),
    CONSTRAINT stock_reservations_order_id_product_variant_id_key
        UNIQUE (order_id, product_variant_id),
    CONSTRAINT stock_reservations_order_id_fkey FOREIGN KEY (order_id)
        REFERENCES orders (id) ON DELETE CASCADE,
    CONSTRAINT stock_reservations_product_variant_id_fkey FOREIGN KEY (product_variant_id)
        REFERENCES product_variants (id) ON DELETE CASCADE,
    CONSTRAINT stock_reservations_quantity_check CHECK (quantity >= 0),
    CONSTRAINT stock_reservations_state_check CHECK (state IN ('RESERVED', 'RELEASED', 'SOLD'))
);
COMMENT ON TABLE stock_reservations IS 'The units each order reserved of each variant; inventory.quantity_reserved is the sum of the RESERVED rows of its variant (for stock moved by orders).';
-- The foreign key of the variant, and the live reservations of a variant (the invariant's sum).
CREATE INDEX stock_reservations_product_variant_id_idx ON stock_reservations (product_variant_id)
    WHERE state = 'RESERVED';
CREATE INDEX stock_reservations_product_variant_id_fkey_idx ON stock_reservations (product_variant_id);
CREATE TRIGGER stock_reservations_set_updated_at BEFORE UPDATE ON stock_reservations
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
