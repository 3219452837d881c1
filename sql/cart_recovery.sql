-- Cart recovery: the abandoned carts worth a reminder, the reminders' events (SENT, OPENED,
-- CLICKED, RECOVERED with the order), and the figures by day. Each event is stamped with
-- clock_timestamp(): steps written in one transaction keep their order.

-- name: lock_reminders()$
-- Serialize the reminder runs until the transaction ends (an advisory lock): no cart is reminded twice.
SELECT true AS locked FROM pg_advisory_xact_lock(hashtextextended('shopdb.cart_recovery', 0));

-- name: candidates(idle_s, cooldown_s, limit)
-- Active carts with items of users with an email, idle past idle_s, not reminded within cooldown_s.
SELECT c.id AS cart_id, u.id AS user_id, u.email, c.status,
       count(i.id)::integer AS items, coalesce(sum(i.quantity * i.unit_price), 0) AS subtotal,
       c.updated_at AS idle_since
  FROM carts c
  JOIN users u ON u.id = c.user_id AND u.deleted_at IS NULL
  JOIN cart_items i ON i.cart_id = c.id
 WHERE c.status = 'ACTIVE'
   AND c.updated_at < now() - make_interval(secs => :idle_s)
   AND NOT EXISTS (SELECT 1
                     FROM cart_recovery_events r
                    WHERE r.cart_id = c.id AND r.kind = 'SENT'
                      AND r.created_at > now() - make_interval(secs => :cooldown_s))
 GROUP BY c.id, u.id
 ORDER BY c.updated_at, c.id
 LIMIT :limit;

-- name: record_sent(cart_ids)<!
-- A SENT event for each of these carts; the events' ids are the reminders' link tokens.
WITH sent AS (
    INSERT INTO cart_recovery_events (cart_id, kind, created_at)
    SELECT cart_id, 'SENT', clock_timestamp() FROM unnest(CAST(:cart_ids AS uuid[])) AS c (cart_id)
    RETURNING id, cart_id, kind, order_id, revenue, created_at, updated_at
)
SELECT coalesce(jsonb_agg(to_jsonb(s) ORDER BY s.cart_id), '[]') AS rows FROM sent s;

-- name: record_step(recovery_id, kind)<!
-- OPENED or CLICKED for the cart of a SENT event; None when there is no such reminder.
INSERT INTO cart_recovery_events (cart_id, kind, created_at)
SELECT cart_id, :kind, clock_timestamp()
  FROM cart_recovery_events
 WHERE id = :recovery_id AND kind = 'SENT'
RETURNING id, cart_id, kind, order_id, revenue, created_at, updated_at;

-- name: record_recovered(cart_id, order_id, revenue)<!
-- RECOVERED with the order, once, for a cart that was reminded; None for one never reminded.
INSERT INTO cart_recovery_events (cart_id, kind, order_id, revenue, created_at)
SELECT :cart_id, 'RECOVERED', :order_id, :revenue, clock_timestamp()
 WHERE EXISTS (SELECT 1 FROM cart_recovery_events
                WHERE cart_id = :cart_id AND kind = 'SENT')
ON CONFLICT (cart_id) WHERE kind = 'RECOVERED' DO NOTHING
RETURNING id, cart_id, kind, order_id, revenue, created_at, updated_at;

-- name: events_of(cart_id)
-- The recovery events of one cart, in order.
SELECT id, cart_id, kind, order_id, revenue, created_at, updated_at
  FROM cart_recovery_events
 WHERE cart_id = :cart_id
 ORDER BY created_at, id;

-- name: figures_by_day(from_time, to_time)
-- Per UTC day in [from_time, to_time): carts contacted, opened, clicked, recovered, and revenue.
SELECT CAST(date_trunc('day', created_at, 'UTC') AS date) AS day,
       count(DISTINCT cart_id) FILTER (WHERE kind = 'SENT')::integer AS contacted,
       count(DISTINCT cart_id) FILTER (WHERE kind = 'OPENED')::integer AS opened,
       count(DISTINCT cart_id) FILTER (WHERE kind = 'CLICKED')::integer AS clicked,
       count(*) FILTER (WHERE kind = 'RECOVERED')::integer AS recovered,
       coalesce(sum(revenue) FILTER (WHERE kind = 'RECOVERED'), 0) AS revenue
  FROM cart_recovery_events
 WHERE created_at >= :from_time AND created_at < :to_time
 GROUP BY day
 ORDER BY day;
