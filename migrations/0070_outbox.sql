-- The transactional outbox (issue 21 point 1): domain events written in the transaction of
-- their change, numbered per aggregate, and the cursors of the outbox's consumers.
-- transaction_id is the writing transaction's id: a consumer reads only the events of
-- transactions older than every running one (pg_snapshot_xmin), so an event committed late
-- can never fall behind a cursor that has moved past it.
-- A new table: its indexes are built in the same transaction, so no CONCURRENTLY.
-- depends: 0062_review_votes
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

CREATE TABLE outbox_events (
    id             uuid        NOT NULL DEFAULT uuid_generate_v7(),
    aggregate_type text        NOT NULL,
    aggregate_id   uuid        NOT NULL,
    sequence       bigint      NOT NULL,
    event_type     text        NOT NULL,
    payload        jsonb       NOT NULL,
    transaction_id bigint      NOT NULL DEFAULT CAST(CAST(pg_current_xact_id() AS text) AS bigint),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT outbox_events_pkey PRIMARY KEY (id),
    CONSTRAINT outbox_events_aggregate_type_aggregate_id_sequence_key
        UNIQUE (aggregate_type, aggregate_id, sequence),
    CONSTRAINT outbox_events_sequence_check CHECK (sequence >= 1),
    CONSTRAINT outbox_events_aggregate_type_check
        CHECK (aggregate_type IN ('order', 'payment', 'inventory', 'review', 'cart')),
    CONSTRAINT outbox_events_event_type_check CHECK (event_type IN (
        'order.placed', 'order.paid', 'order.cancelled', 'order.shipped', 'order.delivered',
        'payment.settled', 'payment.refunded', 'inventory.low_stock', 'review.approved',
        'cart.abandoned')),
    CONSTRAINT outbox_events_event_aggregate_check
        CHECK (split_part(event_type, '.', 1) = aggregate_type),
    CONSTRAINT outbox_events_payload_check CHECK (jsonb_typeof(payload) = 'object')
);
COMMENT ON TABLE outbox_events IS 'Domain events, written in the transaction of their change; sequence counts the events of one aggregate from 1.';
COMMENT ON COLUMN outbox_events.transaction_id IS 'The writing transaction (pg_current_xact_id): consumers read in (transaction_id, id) order below the oldest running transaction.';
CREATE INDEX outbox_events_transaction_id_id_idx ON outbox_events (transaction_id, id);
CREATE TRIGGER outbox_events_set_updated_at BEFORE UPDATE ON outbox_events
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE outbox_consumers (
    name                 text        NOT NULL,
    after_transaction_id bigint      NOT NULL DEFAULT 0,
    after_event_id       uuid        NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000',
    consumed             bigint      NOT NULL DEFAULT 0,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT outbox_consumers_pkey PRIMARY KEY (name),
    CONSTRAINT outbox_consumers_name_check CHECK (name ~ '^[a-z][a-z0-9_]{0,62}$'),
    CONSTRAINT outbox_consumers_consumed_check CHECK (consumed >= 0)
);
COMMENT ON TABLE outbox_consumers IS 'One cursor per consumer of the outbox: the last (transaction_id, id) it consumed.';
CREATE TRIGGER outbox_consumers_set_updated_at BEFORE UPDATE ON outbox_consumers
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
