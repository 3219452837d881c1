-- Webhooks: endpoints (their secrets sealed), one delivery per event and endpoint, every
-- attempt. A dispatcher claims due deliveries with a lease (SKIP LOCKED), sends them outside
-- any transaction, and records each attempt under the lease it claimed with.

-- name: new_endpoint_id()<!
-- A fresh endpoint id, drawn first so the secret can be sealed bound to it.
SELECT uuid_generate_v7() AS id;

-- name: add_endpoint(id, url, event_types, secret_sealed)<!
-- A new active endpoint taking these event types.
INSERT INTO webhook_endpoints (id, url, event_types, secret_sealed)
VALUES (:id, :url, CAST(:event_types AS text[]), :secret_sealed)
RETURNING id, url, event_types, active, created_at, updated_at;

-- name: get_endpoint(id)^
-- The endpoint with this id (without its secret).
SELECT id, url, event_types, active, created_at, updated_at
  FROM webhook_endpoints
 WHERE id = :id;

-- name: list_endpoints()
-- Every endpoint, oldest first (without their secrets).
SELECT id, url, event_types, active, created_at, updated_at
  FROM webhook_endpoints
 ORDER BY id;

-- name: lock_endpoint(id)^
-- Lock an endpoint for an admin change of it.
SELECT id, url, event_types, active, created_at, updated_at
  FROM webhook_endpoints
 WHERE id = :id
   FOR NO KEY UPDATE;

-- name: set_active(id, active)<!
-- Turn an endpoint on or off (off: the dispatcher sends it nothing more).
UPDATE webhook_endpoints
   SET active = :active
 WHERE id = :id
RETURNING id, url, event_types, active, created_at, updated_at;

-- name: is_active(id)$
-- Whether the endpoint is active now (checked right before each send).
SELECT coalesce((SELECT active FROM webhook_endpoints WHERE id = :id), false) AS active;

-- name: fan_out(event_ids)!
-- One PENDING delivery of each event to each active endpoint that takes its type.
INSERT INTO webhook_deliveries (endpoint_id, event_id, aggregate_type, aggregate_id, sequence)
SELECT w.id, e.id, e.aggregate_type, e.aggregate_id, e.sequence
  FROM outbox_events e
  JOIN webhook_endpoints w ON w.active AND e.event_type = ANY (w.event_types)
 WHERE e.id = ANY (CAST(:event_ids AS uuid[]))
ON CONFLICT (endpoint_id, event_id) DO NOTHING;

-- name: claim(limit, lease_s, consumer)<!
-- Lease up to limit due deliveries of active endpoints, each the earliest undone of its aggregate for its endpoint.
WITH due AS (
    SELECT d.id
      FROM webhook_deliveries d
      JOIN webhook_endpoints w ON w.id = d.endpoint_id AND w.active
     WHERE d.status = 'PENDING'
       AND d.next_attempt_at <= now()
       AND (d.lease_expires_at IS NULL OR d.lease_expires_at < now())
       AND NOT EXISTS (
           SELECT 1
             FROM webhook_deliveries earlier
            WHERE earlier.endpoint_id = d.endpoint_id
              AND earlier.aggregate_type = d.aggregate_type
              AND earlier.aggregate_id = d.aggregate_id
              AND earlier.sequence < d.sequence
              AND earlier.status = 'PENDING')
       /* nor while an earlier event of its aggregate is not fanned out yet (the fan-out's
          cursor has not passed it): its delivery may be about to be written. */
       AND NOT EXISTS (
           SELECT 1
             FROM outbox_events pending
             JOIN outbox_consumers fan_out ON fan_out.name = :consumer
            WHERE pending.aggregate_type = d.aggregate_type
              AND pending.aggregate_id = d.aggregate_id
              AND pending.sequence < d.sequence
              AND (pending.transaction_id, pending.id)
                  > (fan_out.after_transaction_id, fan_out.after_event_id))
     ORDER BY d.next_attempt_at, d.id
     LIMIT :limit
       FOR UPDATE OF d SKIP LOCKED
), claimed AS (
    UPDATE webhook_deliveries d
       SET attempts = d.attempts + 1,
           lease_token = uuid_generate_v7(),
           lease_expires_at = now() + make_interval(secs => :lease_s)
      FROM due
     WHERE d.id = due.id
    RETURNING d.id, d.endpoint_id, d.event_id, d.attempts, d.lease_token
)
SELECT coalesce(jsonb_agg(jsonb_build_object(
           'id', c.id, 'endpoint_id', c.endpoint_id, 'event_id', c.event_id,
           'attempt', c.attempts, 'lease_token', c.lease_token, 'url', w.url,
           'secret_sealed', w.secret_sealed, 'event_type', e.event_type,
           'aggregate_type', e.aggregate_type, 'aggregate_id', e.aggregate_id,
           'sequence', e.sequence, 'payload', e.payload, 'occurred_at', e.created_at)
           ORDER BY e.aggregate_type, e.aggregate_id, e.sequence), '[]') AS rows
  FROM claimed c
  JOIN webhook_endpoints w ON w.id = c.endpoint_id
  JOIN outbox_events e ON e.id = c.event_id;

-- name: record_attempt(id, lease_token, outcome, http_status, latency_ms, error, status, retry_in_s)<!
-- Record an attempt made under this lease and move its delivery on; no row when the lease was lost.
WITH moved AS (
    UPDATE webhook_deliveries
       SET status = :status,
           next_attempt_at = now() + make_interval(secs => :retry_in_s),
           delivered_at = CASE WHEN :status = 'DELIVERED' THEN now() END,
           last_error = :error,
           lease_token = NULL,
           lease_expires_at = NULL
     WHERE id = :id AND lease_token = :lease_token
    RETURNING id, attempts
)
INSERT INTO webhook_attempts (delivery_id, attempt, outcome, http_status, latency_ms, error)
SELECT moved.id, moved.attempts, :outcome, :http_status, :latency_ms, :error
  FROM moved
RETURNING id, delivery_id, attempt, outcome, http_status, latency_ms, error, created_at,
          updated_at;

-- name: deliveries_of_event(event_id)
-- The deliveries of one event, by endpoint.
SELECT id, endpoint_id, event_id, aggregate_type, aggregate_id, sequence, status, attempts,
       next_attempt_at, lease_expires_at, last_error, delivered_at, created_at, updated_at
  FROM webhook_deliveries
 WHERE event_id = :event_id
 ORDER BY endpoint_id;

-- name: deliveries_of_endpoint(endpoint_id)
-- Every delivery to one endpoint, in the order of their events.
SELECT id, endpoint_id, event_id, aggregate_type, aggregate_id, sequence, status, attempts,
       next_attempt_at, lease_expires_at, last_error, delivered_at, created_at, updated_at
  FROM webhook_deliveries
 WHERE endpoint_id = :endpoint_id
 ORDER BY event_id;

-- name: attempts_of(delivery_id)
-- Every attempt of one delivery, in order.
SELECT id, delivery_id, attempt, outcome, http_status, latency_ms, error, created_at,
       updated_at
  FROM webhook_attempts
 WHERE delivery_id = :delivery_id
 ORDER BY attempt;

-- name: retry_now(id)!
-- Make a PENDING or DEAD delivery due again now (an operator's replay of a dead letter).
UPDATE webhook_deliveries
   SET status = 'PENDING', next_attempt_at = now(), delivered_at = NULL
 WHERE id = :id AND status IN ('PENDING', 'DEAD');

-- name: count_undelivered(older_than_s)$
-- How many deliveries are still PENDING although their event is older than older_than_s.
SELECT count(*) AS undelivered
  FROM webhook_deliveries d
  JOIN outbox_events e ON e.id = d.event_id
 WHERE d.status = 'PENDING'
   AND e.created_at < now() - make_interval(secs => :older_than_s);
