-- A customer's own orders: every statement carries the owner (user_id = :user_id, or a join
-- to the customer's order), so another customer's order is not found.

-- name: get(id, user_id)^
-- The customer's order with this id.
SELECT id, reference, user_id, cart_id, idempotency_key, status, subtotal_amount, discount_amount, tax_amount,
       total_amount, currency, shipping_address_id, billing_address_id,
       shipping_address_snapshot, billing_address_snapshot, placed_at, fulfilled_at,
       shipped_at, delivered_at, cancelled_at, version, created_at, updated_at
  FROM orders
 WHERE id = :id AND user_id = :user_id;

-- name: get_by_reference(reference, user_id)^
-- The customer's order with this reference, in any letter case.
SELECT id, reference, user_id, cart_id, idempotency_key, status, subtotal_amount, discount_amount, tax_amount,
       total_amount, currency, shipping_address_id, billing_address_id,
       shipping_address_snapshot, billing_address_snapshot, placed_at, fulfilled_at,
       shipped_at, delivered_at, cancelled_at, version, created_at, updated_at
  FROM orders
 WHERE reference = upper(:reference) AND user_id = :user_id;

-- name: list_items(order_id, user_id)
-- The items of the customer's order in the order they were written.
SELECT i.id, i.order_id, i.product_id, i.product_variant_id, i.quantity, i.unit_price,
       i.quantity * i.unit_price AS line_total, i.currency, i.title_snapshot,
       i.variant_snapshot, i.created_at
  FROM order_items i
  JOIN orders o ON o.id = i.order_id
 WHERE i.order_id = :order_id AND o.user_id = :user_id
 ORDER BY i.id;

-- name: find_by_idempotency_key(idempotency_key, user_id)^
-- The customer's order a checkout with this key placed, or None.
SELECT id, cart_id, user_id
  FROM orders
 WHERE idempotency_key = :idempotency_key AND user_id = :user_id;
