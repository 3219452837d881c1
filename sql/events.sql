-- The transactional outbox: domain events numbered per aggregate, and the cursors of its
-- consumers, each of which reads the events in (transaction_id, id) order below the oldest
-- transaction still running (an event written later can never land behind a cursor).

-- name: record(aggregate_type, aggregate_id, event_type, payload)<!
-- Append an event of an aggregate with the next sequence number of that aggregate.
INSERT INTO outbox_events (aggregate_type, aggregate_id, sequence, event_type, payload)
SELECT :aggregate_type, :aggregate_id, coalesce(max(e.sequence), 0) + 1, :event_type,
       CAST(:payload AS jsonb)
  FROM outbox_events e
 WHERE e.aggregate_type = :aggregate_type AND e.aggregate_id = :aggregate_id
RETURNING id, aggregate_type, aggregate_id, sequence, event_type, payload, transaction_id,
          created_at, updated_at;

-- name: history(aggregate_type, aggregate_id)
-- The events of one aggregate in sequence order.
SELECT id, aggregate_type, aggregate_id, sequence, event_type, payload, transaction_id,
       created_at, updated_at
  FROM outbox_events
 WHERE aggregate_type = :aggregate_type AND aggregate_id = :aggregate_id
 ORDER BY sequence;

-- name: get(id)^
-- The event with this id.
SELECT id, aggregate_type, aggregate_id, sequence, event_type, payload, transaction_id,
       created_at, updated_at
  FROM outbox_events
 WHERE id = :id;

-- name: ensure_consumer(name)!
-- Create a consumer's cursor at the start of the outbox unless it exists.
INSERT INTO outbox_consumers (name) VALUES (:name) ON CONFLICT (name) DO NOTHING;

-- name: lock_consumer(name)^
-- Lock a consumer's cursor until the transaction ends: one batch of a consumer at a time.
SELECT name, after_transaction_id, after_event_id, consumed, created_at, updated_at
  FROM outbox_consumers
 WHERE name = :name
   FOR NO KEY UPDATE;

-- name: events_after(after_transaction_id, after_event_id, limit)
-- The next events after a cursor, of transactions older than every one of this database still running.
SELECT id, aggregate_type, aggregate_id, sequence, event_type, payload, transaction_id,
       created_at, updated_at
  FROM outbox_events
 WHERE (transaction_id, id) > (:after_transaction_id, :after_event_id)
   AND transaction_id < (
       /* The oldest transaction of the snapshot still running that may be this database's:
          one shown running in another database cannot write here, so it holds nothing back. */
       SELECT coalesce(min(CAST(CAST(r.xid AS text) AS bigint)),
                       CAST(CAST(pg_snapshot_xmax(pg_current_snapshot()) AS text) AS bigint))
         FROM pg_snapshot_xip(pg_current_snapshot()) AS r (xid)
        WHERE NOT EXISTS (SELECT 1
                            FROM pg_stat_activity a
                           WHERE a.backend_xid = xid(r.xid)
                             AND a.datname <> current_database()))
 ORDER BY transaction_id, id
 LIMIT :limit;

-- name: advance(name, after_transaction_id, after_event_id, consumed)<!
-- Move a consumer's cursor past the events it has just consumed.
UPDATE outbox_consumers
   SET after_transaction_id = :after_transaction_id,
       after_event_id = :after_event_id,
       consumed = consumed + :consumed
 WHERE name = :name
RETURNING name, after_transaction_id, after_event_id, consumed, created_at, updated_at;

-- name: get_consumer(name)^
-- A consumer's cursor.
SELECT name, after_transaction_id, after_event_id, consumed, created_at, updated_at
  FROM outbox_consumers
 WHERE name = :name;

-- name: count_pending(after_transaction_id, after_event_id)$
-- How many events lie after a cursor (committed or not yet visible to it).
SELECT count(*) AS pending
  FROM outbox_events
 WHERE (transaction_id, id) > (:after_transaction_id, :after_event_id);

-- name: orders_of(ids)
-- The orders with these ids as they are now, for the events of a batch that changed them.
SELECT id, reference, user_id, cart_id, idempotency_key, status, subtotal_amount,
       discount_amount, tax_amount, total_amount, currency, shipping_address_id,
       billing_address_id, shipping_address_snapshot, billing_address_snapshot, placed_at,
       fulfilled_at, shipped_at, delivered_at, cancelled_at, version, created_at, updated_at
  FROM orders
 WHERE id = ANY (CAST(:ids AS uuid[]))
 ORDER BY id;
