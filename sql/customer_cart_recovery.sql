-- A customer's cart reminders: every statement binds the reminder to a cart of the owner
-- (carts.user_id = :user_id), so another customer's link records nothing.

-- name: record_step(recovery_id, kind, user_id)<!
-- OPENED or CLICKED for the customer's own reminder; None when it is not theirs.
INSERT INTO cart_recovery_events (cart_id, kind, created_at)
SELECT r.cart_id, :kind, clock_timestamp()
  FROM cart_recovery_events r
  JOIN carts c ON c.id = r.cart_id
 WHERE r.id = :recovery_id AND r.kind = 'SENT' AND c.user_id = :user_id
RETURNING id, cart_id, kind, order_id, revenue, created_at, updated_at;

-- name: events_of(cart_id, user_id)
-- The recovery events of the customer's own cart, in order.
SELECT r.id, r.cart_id, r.kind, r.order_id, r.revenue, r.created_at, r.updated_at
  FROM cart_recovery_events r
  JOIN carts c ON c.id = r.cart_id
 WHERE r.cart_id = :cart_id AND c.user_id = :user_id
 ORDER BY r.created_at, r.id;
