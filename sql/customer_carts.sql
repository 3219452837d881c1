-- A customer's own carts: every statement carries the owner (user_id = :user_id, or a join
-- to the customer's cart), so another customer's cart is not found and nothing is written.

-- name: get(id, user_id)^
-- The customer's cart with this id, in any status.
SELECT id, user_id, session_id, status, expires_at, version, created_at, updated_at
  FROM carts
 WHERE id = :id AND user_id = :user_id;

-- name: cart_status(id, user_id)$
-- The status of the customer's cart, or None when the customer has no such cart.
SELECT status FROM carts WHERE id = :id AND user_id = :user_id;

-- name: add_item(cart_id, user_id, product_variant_id, quantity)<!
-- Add a variant of a live product to the customer's active cart at its current price, or add to its line.
WITH cart AS (
    UPDATE carts
       SET updated_at = clock_timestamp()
     WHERE id = :cart_id AND user_id = :user_id AND status = 'ACTIVE'
    RETURNING id
)
INSERT INTO cart_items AS i (cart_id, product_variant_id, quantity, unit_price)
SELECT cart.id, v.id, :quantity, v.price
  FROM cart
  JOIN product_variants v ON v.id = :product_variant_id
  JOIN products p ON p.id = v.product_id AND p.deleted_at IS NULL AND p.status = 'ACTIVE'
ON CONFLICT (cart_id, product_variant_id)
DO UPDATE SET quantity = i.quantity + EXCLUDED.quantity, unit_price = EXCLUDED.unit_price
RETURNING id, cart_id, product_variant_id, quantity, unit_price, quantity * unit_price AS line_total,
          created_at, updated_at;

-- name: set_item_quantity(cart_id, user_id, product_variant_id, quantity)<!
-- Set the quantity of one line of the customer's active cart; None when there is no such line.
WITH cart AS (
    UPDATE carts
       SET updated_at = clock_timestamp()
     WHERE id = :cart_id AND user_id = :user_id AND status = 'ACTIVE'
    RETURNING id
)
UPDATE cart_items i
   SET quantity = :quantity
  FROM cart
 WHERE i.cart_id = cart.id AND i.product_variant_id = :product_variant_id
RETURNING i.id, i.cart_id, i.product_variant_id, i.quantity, i.unit_price,
          i.quantity * i.unit_price AS line_total, i.created_at, i.updated_at;

-- name: remove_item(cart_id, user_id, product_variant_id)!
-- Remove one line of the customer's active cart; touches no row when there is none.
WITH cart AS (
    UPDATE carts
       SET updated_at = clock_timestamp()
     WHERE id = :cart_id AND user_id = :user_id AND status = 'ACTIVE'
    RETURNING id
)
DELETE FROM cart_items i
 USING cart
 WHERE i.cart_id = cart.id AND i.product_variant_id = :product_variant_id;

-- name: list_items(cart_id, user_id)
-- The lines of the customer's cart, oldest first (lines added in one transaction: by id).
SELECT i.id, i.cart_id, i.product_variant_id, i.quantity, i.unit_price,
       i.quantity * i.unit_price AS line_total, i.created_at, i.updated_at
  FROM cart_items i
  JOIN carts c ON c.id = i.cart_id
 WHERE i.cart_id = :cart_id AND c.user_id = :user_id
 ORDER BY i.created_at, i.id;

-- name: totals(cart_id, user_id)^
-- Lines, units and subtotal of the customer's cart; None when the customer has no such cart.
SELECT c.id AS cart_id,
       count(i.id)::integer                         AS line_count,
       coalesce(sum(i.quantity), 0)::integer        AS item_count,
       coalesce(sum(i.quantity * i.unit_price), 0)::numeric(12,2) AS subtotal
  FROM carts c
  LEFT JOIN cart_items i ON i.cart_id = c.id
 WHERE c.id = :cart_id AND c.user_id = :user_id
 GROUP BY c.id;
