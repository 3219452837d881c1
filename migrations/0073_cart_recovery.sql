-- Cart recovery (issue 21 point 4): what happened to each reminder of an abandoned cart,
-- SENT, OPENED, CLICKED, and RECOVERED with the order and its total once the cart is
-- checked out (at most one RECOVERED per cart).
-- A new table: its indexes are built in the same transaction, so no CONCURRENTLY.
-- depends: 0062_review_votes
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

CREATE TABLE cart_recovery_events (
    id         uuid          NOT NULL DEFAULT uuid_generate_v7(),
    cart_id    uuid          NOT NULL,
    kind       text          NOT NULL,
    order_id   uuid,
    revenue    numeric(12,2),
    created_at timestamptz   NOT NULL DEFAULT now(),
    updated_at timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT cart_recovery_events_pkey PRIMARY KEY (id),
    CONSTRAINT cart_recovery_events_cart_id_fkey FOREIGN KEY (cart_id)
        REFERENCES carts (id) ON DELETE CASCADE,
    CONSTRAINT cart_recovery_events_order_id_fkey FOREIGN KEY (order_id)
        REFERENCES orders (id) ON DELETE SET NULL,
    CONSTRAINT cart_recovery_events_kind_check
        CHECK (kind IN ('SENT', 'OPENED', 'CLICKED', 'RECOVERED')),
    CONSTRAINT cart_recovery_events_kind_revenue_check
        CHECK ((kind = 'RECOVERED') = (revenue IS NOT NULL)),
    CONSTRAINT cart_recovery_events_revenue_check CHECK (revenue >= 0),
    CONSTRAINT cart_recovery_events_order_id_check CHECK (kind = 'RECOVERED' OR order_id IS NULL)
);
COMMENT ON TABLE cart_recovery_events IS 'Reminders of abandoned carts and what came of them; RECOVERED carries the order and its total.';
CREATE INDEX cart_recovery_events_cart_id_kind_idx
    ON cart_recovery_events (cart_id, kind, created_at);
CREATE UNIQUE INDEX cart_recovery_events_recovered_key ON cart_recovery_events (cart_id)
    WHERE kind = 'RECOVERED';
CREATE INDEX cart_recovery_events_order_id_idx ON cart_recovery_events (order_id);
CREATE INDEX cart_recovery_events_created_at_idx ON cart_recovery_events (created_at);
CREATE TRIGGER cart_recovery_events_set_updated_at BEFORE UPDATE ON cart_recovery_events
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
