-- Inventory: the stock counters of each variant. Every change bumps version, so adjust()
-- (optimistic, next_version) notices any reservation, sale or restock since it read the row.
-- Reservations honour the product's inventory_policy: TRACK and DENY refuse more than is
-- available; CONTINUE never refuses and reserves what there is (reserved <= on hand always).

-- name: create(variant_id, quantity_on_hand, low_stock_threshold)<!
-- The inventory row of a new variant.
INSERT INTO inventory (product_variant_id, quantity_on_hand, low_stock_threshold)
VALUES (:variant_id, :quantity_on_hand, :low_stock_threshold)
RETURNING id, product_variant_id, quantity_on_hand, quantity_reserved, quantity_available,
          low_stock_threshold, version, created_at, updated_at;

-- name: get(id)^
-- The inventory row with this id.
SELECT id, product_variant_id, quantity_on_hand, quantity_reserved, quantity_available,
       low_stock_threshold, version, created_at, updated_at
  FROM inventory
 WHERE id = :id;

-- name: get_for_variant(variant_id)^
-- The inventory row of a variant.
SELECT id, product_variant_id, quantity_on_hand, quantity_reserved, quantity_available,
       low_stock_threshold, version, created_at, updated_at
  FROM inventory
 WHERE product_variant_id = :variant_id;

-- name: lock_for_variants(variant_ids)
-- Lock the inventory rows of these variants FOR UPDATE in variant id order, with their policy.
SELECT i.id, i.product_variant_id, i.quantity_on_hand, i.quantity_reserved,
       i.quantity_available, i.low_stock_threshold, i.version, i.created_at, i.updated_at,
       p.inventory_policy
  FROM inventory i
  JOIN product_variants v ON v.id = i.product_variant_id
  JOIN products p ON p.id = v.product_id
 WHERE i.product_variant_id = ANY (CAST(:variant_ids AS uuid[]))
 ORDER BY i.product_variant_id
   FOR UPDATE OF i;

-- name: reserve(variant_id, quantity)<!
-- Reserve units of a variant; None when the row is absent or (TRACK, DENY) too few are available.
UPDATE inventory i
   SET quantity_reserved = i.quantity_reserved
                         + CASE WHEN p.inventory_policy = 'CONTINUE'
                                THEN LEAST(:quantity, i.quantity_available)
                                ELSE :quantity END,
       version           = i.version + 1
  FROM product_variants v
  JOIN products p ON p.id = v.product_id
 WHERE i.product_variant_id = :variant_id
   AND v.id = i.product_variant_id
   AND (p.inventory_policy = 'CONTINUE' OR i.quantity_available >= :quantity)
RETURNING i.id, i.product_variant_id, i.quantity_on_hand, i.quantity_reserved,
          i.quantity_available, i.low_stock_threshold, i.version, i.created_at, i.updated_at;

-- name: reserve_all(variant_ids, quantities)<!
-- Reserve units of several variants in one statement (rows locked first by lock_for_variants).
WITH reserved AS (
    UPDATE inventory i
       SET quantity_reserved = i.quantity_reserved
                             + CASE WHEN p.inventory_policy = 'CONTINUE'
                                    THEN LEAST(w.quantity, i.quantity_available)
                                    ELSE w.quantity END,
           version           = i.version + 1
      FROM unnest(CAST(:variant_ids AS uuid[]), CAST(:quantities AS integer[])) AS w(variant_id, quantity)
      JOIN product_variants v ON v.id = w.variant_id
      JOIN products p ON p.id = v.product_id
     WHERE i.product_variant_id = w.variant_id
       AND (p.inventory_policy = 'CONTINUE' OR i.quantity_available >= w.quantity)
    RETURNING i.id, i.product_variant_id, i.quantity_on_hand, i.quantity_reserved,
              i.quantity_available, i.low_stock_threshold, i.version, i.created_at, i.updated_at
)
SELECT coalesce(jsonb_agg(to_jsonb(r) ORDER BY r.product_variant_id), '[]') AS rows
  FROM reserved r;

-- name: release(variant_id, quantity)<!
-- Give reserved units back; None when the row is absent or (TRACK, DENY) fewer are reserved.
UPDATE inventory i
   SET quantity_reserved = i.quantity_reserved
                         - CASE WHEN p.inventory_policy = 'CONTINUE'
                                THEN LEAST(:quantity, i.quantity_reserved)
                                ELSE :quantity END,
       version           = i.version + 1
  FROM product_variants v
  JOIN products p ON p.id = v.product_id
 WHERE i.product_variant_id = :variant_id
   AND v.id = i.product_variant_id
   AND (p.inventory_policy = 'CONTINUE' OR i.quantity_reserved >= :quantity)
RETURNING i.id, i.product_variant_id, i.quantity_on_hand, i.quantity_reserved,
          i.quantity_available, i.low_stock_threshold, i.version, i.created_at, i.updated_at;

-- name: commit(variant_id, quantity)<!
-- Turn reserved units into a sale (on hand and reserved both drop); None as for release.
UPDATE inventory i
   SET quantity_on_hand  = i.quantity_on_hand
                         - CASE WHEN p.inventory_policy = 'CONTINUE'
                                THEN LEAST(:quantity, i.quantity_reserved)
                                ELSE :quantity END,
       quantity_reserved = i.quantity_reserved
                         - CASE WHEN p.inventory_policy = 'CONTINUE'
                                THEN LEAST(:quantity, i.quantity_reserved)
                                ELSE :quantity END,
       version           = i.version + 1
  FROM product_variants v
  JOIN products p ON p.id = v.product_id
 WHERE i.product_variant_id = :variant_id
   AND v.id = i.product_variant_id
   AND (p.inventory_policy = 'CONTINUE' OR i.quantity_reserved >= :quantity)
RETURNING i.id, i.product_variant_id, i.quantity_on_hand, i.quantity_reserved,
          i.quantity_available, i.low_stock_threshold, i.version, i.created_at, i.updated_at;

-- name: release_all(variant_ids, quantities)<!
-- Give back reserved units of several variants in one statement (rows locked first).
WITH released AS (
    UPDATE inventory i
       SET quantity_reserved = i.quantity_reserved
                             - CASE WHEN p.inventory_policy = 'CONTINUE'
                                    THEN LEAST(w.quantity, i.quantity_reserved)
                                    ELSE w.quantity END,
           version           = i.version + 1
      FROM unnest(CAST(:variant_ids AS uuid[]), CAST(:quantities AS integer[])) AS w(variant_id, quantity)
      JOIN product_variants v ON v.id = w.variant_id
      JOIN products p ON p.id = v.product_id
     WHERE i.product_variant_id = w.variant_id
       AND (p.inventory_policy = 'CONTINUE' OR i.quantity_reserved >= w.quantity)
    RETURNING i.id, i.product_variant_id, i.quantity_on_hand, i.quantity_reserved,
              i.quantity_available, i.low_stock_threshold, i.version, i.created_at, i.updated_at
)
SELECT coalesce(jsonb_agg(to_jsonb(r) ORDER BY r.product_variant_id), '[]') AS rows
  FROM released r;

-- name: commit_all(variant_ids, quantities)<!
-- Sell reserved units of several variants in one statement (rows locked first).
WITH sold AS (
    UPDATE inventory i
       SET quantity_on_hand  = i.quantity_on_hand
                             - CASE WHEN p.inventory_policy = 'CONTINUE'
                                    THEN LEAST(w.quantity, i.quantity_reserved)
                                    ELSE w.quantity END,
           quantity_reserved = i.quantity_reserved
                             - CASE WHEN p.inventory_policy = 'CONTINUE'
                                    THEN LEAST(w.quantity, i.quantity_reserved)
                                    ELSE w.quantity END,
           version           = i.version + 1
      FROM unnest(CAST(:variant_ids AS uuid[]), CAST(:quantities AS integer[])) AS w(variant_id, quantity)
      JOIN product_variants v ON v.id = w.variant_id
      JOIN products p ON p.id = v.product_id
     WHERE i.product_variant_id = w.variant_id
       AND (p.inventory_policy = 'CONTINUE' OR i.quantity_reserved >= w.quantity)
    RETURNING i.id, i.product_variant_id, i.quantity_on_hand, i.quantity_reserved,
              i.quantity_available, i.low_stock_threshold, i.version, i.created_at, i.updated_at
)
SELECT coalesce(jsonb_agg(to_jsonb(s) ORDER BY s.product_variant_id), '[]') AS rows
  FROM sold s;

-- name: restock(variant_id, quantity)<!
-- Add units on hand (a delivery); None when the variant has no inventory row.
UPDATE inventory
   SET quantity_on_hand = quantity_on_hand + :quantity,
       version          = version + 1
 WHERE product_variant_id = :variant_id
RETURNING id, product_variant_id, quantity_on_hand, quantity_reserved, quantity_available,
          low_stock_threshold, version, created_at, updated_at;

-- name: lock_for_adjust(variant_id)^
-- Lock the inventory row of a variant FOR UPDATE: the state an adjustment audits as before.
SELECT id, product_variant_id, quantity_on_hand, quantity_reserved, quantity_available,
       low_stock_threshold, version, created_at, updated_at
  FROM inventory
 WHERE product_variant_id = :variant_id
   FOR UPDATE;

-- name: adjust(variant_id, quantity_on_hand, expected_version)<!
-- Set the count on hand (a stock-take) if the row is still at the expected version.
UPDATE inventory
   SET quantity_on_hand = :quantity_on_hand,
       version          = next_version(version, :expected_version)
 WHERE product_variant_id = :variant_id
RETURNING id, product_variant_id, quantity_on_hand, quantity_reserved, quantity_available,
          low_stock_threshold, version, created_at, updated_at;

-- name: low_stock(threshold, limit)
-- Rows whose available count is at or below the threshold (each row's own when it is NULL).
SELECT id, product_variant_id, quantity_on_hand, quantity_reserved, quantity_available,
       low_stock_threshold, version, created_at, updated_at
  FROM inventory
 WHERE quantity_available <= coalesce(CAST(:threshold AS integer), low_stock_threshold)
 ORDER BY quantity_available, product_variant_id
 LIMIT :limit;

-- name: reserve_for_order(order_id, variant_ids, quantities)<!
-- Reserve units of several variants for an order and record what each reserved, in one statement (rows locked first by lock_for_variants).
WITH wanted AS (
    SELECT i.id AS inventory_id,
           CASE WHEN p.inventory_policy = 'CONTINUE'
                THEN LEAST(w.quantity, i.quantity_available)
                ELSE w.quantity END AS quantity
      FROM unnest(CAST(:variant_ids AS uuid[]), CAST(:quantities AS integer[])) AS w(variant_id, quantity)
      JOIN inventory i ON i.product_variant_id = w.variant_id
      JOIN product_variants v ON v.id = w.variant_id
      JOIN products p ON p.id = v.product_id
     WHERE p.inventory_policy = 'CONTINUE' OR i.quantity_available >= w.quantity
),
reserved AS (
    UPDATE inventory i
       SET quantity_reserved = i.quantity_reserved + wanted.quantity,
           version           = i.version + 1
      FROM wanted
     WHERE i.id = wanted.inventory_id
    RETURNING i.id, i.product_variant_id, i.quantity_on_hand, i.quantity_reserved,
              i.quantity_available, i.low_stock_threshold, i.version, i.created_at, i.updated_at,
              wanted.quantity AS reserved_now
),
recorded AS (
    INSERT INTO stock_reservations (order_id, product_variant_id, quantity)
    SELECT :order_id, r.product_variant_id, r.reserved_now
      FROM reserved r
)
SELECT coalesce(jsonb_agg(to_jsonb(r) - 'reserved_now' ORDER BY r.product_variant_id), '[]') AS rows
  FROM reserved r;

-- name: reservations_of(order_ids)
-- The reservations of these orders, in any state, by order and variant.
SELECT order_id, product_variant_id, quantity, state, created_at, updated_at
  FROM stock_reservations
 WHERE order_id = ANY (CAST(:order_ids AS uuid[]))
 ORDER BY order_id, product_variant_id;

-- name: settle_reservations(order_ids, state)!
-- Release (RELEASED) or sell (SOLD) the live reservations of these orders: exactly their units leave the reserved counter (sold: and the stock on hand), whatever the policy now is.
WITH moved AS (
    UPDATE stock_reservations
       SET state = :state
     WHERE order_id = ANY (CAST(:order_ids AS uuid[])) AND state = 'RESERVED'
    RETURNING product_variant_id, quantity
),
per_variant AS (
    SELECT product_variant_id, CAST(sum(quantity) AS integer) AS quantity
      FROM moved
     GROUP BY product_variant_id
)
UPDATE inventory i
   SET quantity_reserved = i.quantity_reserved - pv.quantity,
       quantity_on_hand  = i.quantity_on_hand
                         - CASE WHEN :state = 'SOLD' THEN pv.quantity ELSE 0 END,
       version           = i.version + 1
  FROM per_variant pv
 WHERE i.product_variant_id = pv.product_variant_id;
