-- Carts: one active cart per user or guest session, its lines priced when added, and the
-- housekeeping that abandons idle carts and removes expired ones in bounded batches.

-- name: lock_owner(owner_key)$
-- Serialize the cart changes of one owner (a user or a guest session) until the transaction ends.
SELECT true AS locked FROM pg_advisory_xact_lock(hashtextextended(:owner_key, 0));

-- name: find_active_for_user(user_id)^
-- The active cart of a user, or None.
SELECT id, user_id, session_id, status, expires_at, version, created_at, updated_at
  FROM carts
 WHERE user_id = :user_id AND status = 'ACTIVE';

-- name: find_active_for_session(session_id)^
-- The active, unexpired cart of a guest session (no user yet), or None.
SELECT id, user_id, session_id, status, expires_at, version, created_at, updated_at
  FROM carts
 WHERE session_id = :session_id AND user_id IS NULL AND status = 'ACTIVE'
   AND (expires_at IS NULL OR expires_at > now());

-- name: create_for_user(user_id)<!
-- A new active cart of a user; it does not expire.
INSERT INTO carts (user_id)
VALUES (:user_id)
RETURNING id, user_id, session_id, status, expires_at, version, created_at, updated_at;

-- name: create_for_session(session_id, ttl_seconds)<!
-- A new active cart of a guest session, expiring after ttl_seconds.
INSERT INTO carts (session_id, expires_at)
VALUES (:session_id, now() + make_interval(secs => :ttl_seconds))
RETURNING id, user_id, session_id, status, expires_at, version, created_at, updated_at;

-- name: get(id)^
-- The cart with this id, in any status.
SELECT id, user_id, session_id, status, expires_at, version, created_at, updated_at
  FROM carts
 WHERE id = :id;

-- name: cart_status(id)$
-- The status of a cart, or None when there is no such cart.
SELECT status FROM carts WHERE id = :id;

-- name: add_item(cart_id, product_variant_id, quantity)<!
-- Add a variant of a live product to an active cart at the variant's current price, or add to its line.
WITH cart AS (
    UPDATE carts
       SET updated_at = clock_timestamp()
     WHERE id = :cart_id AND status = 'ACTIVE'
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

-- name: set_item_quantity(cart_id, product_variant_id, quantity)<!
-- Set the quantity of one line of an active cart; None when the cart has no such line.
WITH cart AS (
    UPDATE carts
       SET updated_at = clock_timestamp()
     WHERE id = :cart_id AND status = 'ACTIVE'
    RETURNING id
)
UPDATE cart_items i
   SET quantity = :quantity
  FROM cart
 WHERE i.cart_id = cart.id AND i.product_variant_id = :product_variant_id
RETURNING i.id, i.cart_id, i.product_variant_id, i.quantity, i.unit_price,
          i.quantity * i.unit_price AS line_total, i.created_at, i.updated_at;

-- name: remove_item(cart_id, product_variant_id)!
-- Remove one line of an active cart; touches no row when there is none.
WITH cart AS (
    UPDATE carts
       SET updated_at = clock_timestamp()
     WHERE id = :cart_id AND status = 'ACTIVE'
    RETURNING id
)
DELETE FROM cart_items i
 USING cart
 WHERE i.cart_id = cart.id AND i.product_variant_id = :product_variant_id;

-- name: list_items(cart_id)
-- The lines of a cart, oldest first (lines added in one transaction: by id).
SELECT id, cart_id, product_variant_id, quantity, unit_price, quantity * unit_price AS line_total,
       created_at, updated_at
  FROM cart_items
 WHERE cart_id = :cart_id
 ORDER BY created_at, id;

-- name: totals(cart_id)^
-- Lines, units and subtotal of a cart in one aggregate; None when there is no such cart.
SELECT c.id AS cart_id,
       count(i.id)::integer                         AS line_count,
       coalesce(sum(i.quantity), 0)::integer        AS item_count,
       coalesce(sum(i.quantity * i.unit_price), 0)::numeric(12,2) AS subtotal
  FROM carts c
  LEFT JOIN cart_items i ON i.cart_id = c.id
 WHERE c.id = :cart_id
 GROUP BY c.id;

-- name: adopt_guest_cart(cart_id, user_id)<!
-- Hand a guest cart to the user who logged in: it becomes theirs and no longer expires.
UPDATE carts
   SET user_id = :user_id, session_id = NULL, expires_at = NULL
 WHERE id = :cart_id AND status = 'ACTIVE'
RETURNING id, user_id, session_id, status, expires_at, version, created_at, updated_at;

-- name: merge_items(from_cart_id, into_cart_id)!
-- Move the lines of one cart into another, adding quantities where both hold a variant.
INSERT INTO cart_items AS i (cart_id, product_variant_id, quantity, unit_price)
SELECT :into_cart_id, product_variant_id, quantity, unit_price
  FROM cart_items
 WHERE cart_id = :from_cart_id
ON CONFLICT (cart_id, product_variant_id)
DO UPDATE SET quantity = i.quantity + EXCLUDED.quantity;

-- name: delete_cart(id)!
-- Delete a cart and (by cascade) its lines.
DELETE FROM carts WHERE id = :id;

-- name: mark_abandoned_batch(idle_seconds, batch_size)!
-- Mark one batch of active carts idle for longer than idle_seconds ABANDONED, oldest first.
UPDATE carts
   SET status = 'ABANDONED'
 WHERE id IN (SELECT id
                FROM carts
               WHERE status = 'ACTIVE'
                 AND updated_at < now() - make_interval(secs => :idle_seconds)
               ORDER BY updated_at
               LIMIT :batch_size
                 FOR UPDATE SKIP LOCKED);

-- name: delete_expired_batch(batch_size)!
-- Delete one batch of carts past their expiry that were never checked out.
DELETE FROM carts
 WHERE id IN (SELECT id
                FROM carts
               WHERE expires_at < now()
                 AND status <> 'CHECKED_OUT'
               LIMIT :batch_size
                 FOR UPDATE SKIP LOCKED);

-- name: lock_for_checkout(cart_id)^
-- Lock the cart being checked out (the first lock of a checkout) and return its owner and state.
SELECT id AS cart_id, user_id, status
  FROM carts
 WHERE id = :cart_id
   FOR NO KEY UPDATE;

-- name: checkout_lines(cart_id)
-- The cart's lines as an order will hold them: variant, quantity, the price in the cart and today's, currency, whether the product is on sale.
SELECT ci.product_variant_id, v.product_id, ci.quantity, ci.unit_price, v.price AS current_price,
       p.currency, coalesce(p.status = 'ACTIVE' AND p.deleted_at IS NULL, false) AS on_sale
  FROM cart_items ci
  JOIN product_variants v ON v.id = ci.product_variant_id
  JOIN products p ON p.id = v.product_id
 WHERE ci.cart_id = :cart_id
 ORDER BY ci.product_variant_id;

-- name: reprice_lines(cart_id)!
-- Put today's price of each variant on the cart's lines priced otherwise (a refused checkout).
UPDATE cart_items i
   SET unit_price = v.price
  FROM product_variants v
 WHERE i.cart_id = :cart_id AND v.id = i.product_variant_id AND i.unit_price <> v.price;

-- name: mark_checked_out(cart_id)!
-- The active cart an order was placed from becomes CHECKED_OUT (its lines can no longer change).
UPDATE carts
   SET status = 'CHECKED_OUT'
 WHERE id = :cart_id AND status = 'ACTIVE';
