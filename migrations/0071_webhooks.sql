-- Webhooks (issue 21 point 2): endpoints with their sealed secrets, one delivery per event
-- and endpoint, and every attempt of it. sequence and the aggregate are copied onto the
-- delivery so the dispatcher can keep each aggregate's events in order per endpoint.
-- A new table: its indexes are built in the same transaction, so no CONCURRENTLY.
-- depends: 0070_outbox
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

CREATE TABLE webhook_endpoints (
    id            uuid        NOT NULL DEFAULT uuid_generate_v7(),
    url           text        NOT NULL,
    event_types   text[]      NOT NULL,
    secret_sealed text        NOT NULL,
    active        boolean     NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT webhook_endpoints_pkey PRIMARY KEY (id),
    CONSTRAINT webhook_endpoints_url_check
        CHECK (url ~ '^https?://[^\s/]+' AND length(url) <= 2000),
    CONSTRAINT webhook_endpoints_event_types_check CHECK (
        cardinality(event_types) >= 1 AND array_position(event_types, NULL) IS NULL
        AND event_types <@ ARRAY[
            'order.placed', 'order.paid', 'order.cancelled', 'order.shipped', 'order.delivered',
            'payment.settled', 'payment.refunded', 'inventory.low_stock', 'review.approved',
            'cart.abandoned']::text[]),
    CONSTRAINT webhook_endpoints_secret_sealed_check CHECK (secret_sealed ~ '^aesgcm:')
);
COMMENT ON TABLE webhook_endpoints IS 'Receivers of events: the event types they take, their signing secret sealed (AES-GCM, bound to the row id).';
CREATE TRIGGER webhook_endpoints_set_updated_at BEFORE UPDATE ON webhook_endpoints
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE webhook_deliveries (
    id               uuid        NOT NULL DEFAULT uuid_generate_v7(),
    endpoint_id      uuid        NOT NULL,
    event_id         uuid        NOT NULL,
    aggregate_type   text        NOT NULL,
    aggregate_id     uuid        NOT NULL,
    sequence         bigint      NOT NULL,
    status           text        NOT NULL DEFAULT 'PENDING',
    attempts         integer     NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    lease_token      uuid,
    lease_expires_at timestamptz,
    last_error       text,
    delivered_at     timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT webhook_deliveries_pkey PRIMARY KEY (id),
    CONSTRAINT webhook_deliveries_endpoint_id_event_id_key UNIQUE (endpoint_id, event_id),
    CONSTRAINT webhook_deliveries_endpoint_id_fkey FOREIGN KEY (endpoint_id)
        REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    CONSTRAINT webhook_deliveries_event_id_fkey FOREIGN KEY (event_id)
        REFERENCES outbox_events (id) ON DELETE CASCADE,
    CONSTRAINT webhook_deliveries_status_check CHECK (status IN ('PENDING', 'DELIVERED', 'DEAD')),
    CONSTRAINT webhook_deliveries_attempts_check CHECK (attempts >= 0),
    CONSTRAINT webhook_deliveries_lease_check
        CHECK ((lease_token IS NULL) = (lease_expires_at IS NULL)),
    CONSTRAINT webhook_deliveries_delivered_at_check
        CHECK ((status = 'DELIVERED') = (delivered_at IS NOT NULL)),
    CONSTRAINT webhook_deliveries_last_error_check CHECK (length(last_error) <= 1000)
);
COMMENT ON TABLE webhook_deliveries IS 'One event to one endpoint: PENDING (due at next_attempt_at, leased while in flight), DELIVERED or DEAD.';
COMMENT ON COLUMN webhook_deliveries.lease_expires_at IS 'A claimed delivery is in flight until then; a killed dispatcher''s claims come back after it.';
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at)
    WHERE status = 'PENDING';
CREATE INDEX webhook_deliveries_aggregate_idx
    ON webhook_deliveries (endpoint_id, aggregate_type, aggregate_id, sequence)
    WHERE status = 'PENDING';
CREATE INDEX webhook_deliveries_event_id_idx ON webhook_deliveries (event_id);
CREATE TRIGGER webhook_deliveries_set_updated_at BEFORE UPDATE ON webhook_deliveries
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE webhook_attempts (
    id          uuid        NOT NULL DEFAULT uuid_generate_v7(),
    delivery_id uuid        NOT NULL,
    attempt     integer     NOT NULL,
    outcome     text        NOT NULL,
    http_status integer,
    latency_ms  integer     NOT NULL,
    error       text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT webhook_attempts_pkey PRIMARY KEY (id),
    CONSTRAINT webhook_attempts_delivery_id_attempt_key UNIQUE (delivery_id, attempt),
    CONSTRAINT webhook_attempts_delivery_id_fkey FOREIGN KEY (delivery_id)
        REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    CONSTRAINT webhook_attempts_attempt_check CHECK (attempt >= 1),
    CONSTRAINT webhook_attempts_outcome_check CHECK (outcome IN ('SUCCEEDED', 'FAILED')),
    CONSTRAINT webhook_attempts_http_status_check CHECK (http_status BETWEEN 100 AND 599),
    CONSTRAINT webhook_attempts_latency_ms_check CHECK (latency_ms >= 0),
    CONSTRAINT webhook_attempts_error_check CHECK (length(error) <= 1000)
);
COMMENT ON TABLE webhook_attempts IS 'Every attempt of a delivery: outcome, HTTP status, latency, error; one row per attempt number.';
CREATE TRIGGER webhook_attempts_set_updated_at BEFORE UPDATE ON webhook_attempts
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
