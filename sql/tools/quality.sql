-- The data-quality checks of `shopdb quality` (src/shopdb/quality/, docs/quality.md). Each
-- check_<name> counts the rows that break one invariant the schema cannot hold on its own (or
-- holds only for new writes) and returns up to sample_size of their ids, sorted, as text.
-- Every check is a read that scans its tables: run them from a job, not from a request.
-- After the checks: the bookkeeping of the runs (quality_runs, quality_anomalies, 0087).

-- name: check_inventory_reserved_mismatch(sample_size)^
-- Inventory rows whose reserved counter is not the sum of their variant's RESERVED stock reservations.
WITH live AS (
    SELECT product_variant_id, sum(quantity) AS reserved
      FROM stock_reservations
     WHERE state = 'RESERVED'
     GROUP BY product_variant_id
), offending AS (
    SELECT i.id::text AS id
      FROM inventory AS i
      LEFT JOIN live AS l ON l.product_variant_id = i.product_variant_id
     WHERE i.quantity_reserved <> coalesce(l.reserved, 0)
)
SELECT count(*) AS offending,
       coalesce((array_agg(id ORDER BY id))[1 : CAST(:sample_size AS integer)], '{}') AS sample_ids
  FROM offending;

-- name: check_order_amounts_mismatch(sample_size)^
-- Orders whose subtotal is not the sum of their items, or whose total is not subtotal + tax - discount.
WITH items AS (
    SELECT order_id, sum(quantity * unit_price) AS subtotal
      FROM order_items
     GROUP BY order_id
), offending AS (
    SELECT o.id::text AS id
      FROM orders AS o
      LEFT JOIN items AS i ON i.order_id = o.id
     WHERE o.subtotal_amount <> coalesce(i.subtotal, 0)
        OR o.total_amount <> o.subtotal_amount + o.tax_amount - o.discount_amount
)
SELECT count(*) AS offending,
       coalesce((array_agg(id ORDER BY id))[1 : CAST(:sample_size AS integer)], '{}') AS sample_ids
  FROM offending;

-- name: check_settled_payment_unpaid_order(sample_size)^
-- SETTLED payments whose order is not paid (PENDING or CANCELLED: neither PAID nor past it).
WITH offending AS (
    SELECT p.id::text AS id
      FROM payments AS p
      JOIN orders AS o ON o.id = p.order_id
     WHERE p.status = 'SETTLED'
       AND o.status NOT IN ('PAID', 'FULFILLED', 'SHIPPED', 'DELIVERED')
)
SELECT count(*) AS offending,
       coalesce((array_agg(id ORDER BY id))[1 : CAST(:sample_size AS integer)], '{}') AS sample_ids
  FROM offending;

-- name: check_paid_order_without_settled_payment(sample_size)^
-- Orders that are PAID (or past it) with no SETTLED or REFUNDED payment.
WITH offending AS (
    SELECT o.id::text AS id
      FROM orders AS o
     WHERE o.status IN ('PAID', 'FULFILLED', 'SHIPPED', 'DELIVERED')
       AND NOT EXISTS (SELECT 1
                         FROM payments AS p
                        WHERE p.order_id = o.id AND p.status IN ('SETTLED', 'REFUNDED'))
)
SELECT count(*) AS offending,
       coalesce((array_agg(id ORDER BY id))[1 : CAST(:sample_size AS integer)], '{}') AS sample_ids
  FROM offending;

-- name: check_product_without_variants(sample_size)^
-- Live products that have no variant (nothing of them can be put in a cart).
WITH offending AS (
    SELECT p.id::text AS id
      FROM products AS p
     WHERE p.deleted_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM product_variants AS v WHERE v.product_id = p.id)
)
SELECT count(*) AS offending,
       coalesce((array_agg(id ORDER BY id))[1 : CAST(:sample_size AS integer)], '{}') AS sample_ids
  FROM offending;

-- name: check_expired_sessions_not_cleaned(sample_size)^
-- Sessions expired for over a day that sessions.delete_expired has not deleted (its job is not running).
WITH offending AS (
    SELECT s.id::text AS id
      FROM user_sessions AS s
     WHERE s.expires_at < now() - interval '1 day'
)
SELECT count(*) AS offending,
       coalesce((array_agg(id ORDER BY id))[1 : CAST(:sample_size AS integer)], '{}') AS sample_ids
  FROM offending;

-- name: check_coupon_over_limit(sample_size)^
-- Coupons used more often than their usage limit, whose usage_count is not their number of usages, or used by one user past their per-user limit.
WITH used AS (
    SELECT coupon_id, count(*) AS uses
      FROM coupon_usages
     GROUP BY coupon_id
), over_per_user AS (
    SELECT DISTINCT u.coupon_id
      FROM coupon_usages AS u
      JOIN coupons AS c ON c.id = u.coupon_id
     WHERE c.per_user_limit IS NOT NULL AND u.user_id IS NOT NULL
     GROUP BY u.coupon_id, u.user_id, c.per_user_limit
    HAVING count(*) > c.per_user_limit
), offending AS (
    SELECT c.id::text AS id
      FROM coupons AS c
      LEFT JOIN used AS u ON u.coupon_id = c.id
     WHERE c.usage_count > c.usage_limit
        OR coalesce(u.uses, 0) > c.usage_limit
        OR c.usage_count <> coalesce(u.uses, 0)
        OR c.id IN (SELECT coupon_id FROM over_per_user)
)
SELECT count(*) AS offending,
       coalesce((array_agg(id ORDER BY id))[1 : CAST(:sample_size AS integer)], '{}') AS sample_ids
  FROM offending;

-- name: check_product_rating_mismatch(sample_size)^
-- Products whose product_ratings row is not the count per star of their approved live reviews.
WITH approved AS (
    SELECT product_id, count(*) AS rating_count,
           count(*) FILTER (WHERE rating = 1) AS one_star,
           count(*) FILTER (WHERE rating = 2) AS two_stars,
           count(*) FILTER (WHERE rating = 3) AS three_stars,
           count(*) FILTER (WHERE rating = 4) AS four_stars,
           count(*) FILTER (WHERE rating = 5) AS five_stars
      FROM reviews
     WHERE status = 'APPROVED' AND deleted_at IS NULL
     GROUP BY product_id
), offending AS (
    SELECT coalesce(a.product_id, r.product_id)::text AS id
      FROM approved AS a
      FULL JOIN product_ratings AS r ON r.product_id = a.product_id
     WHERE (coalesce(a.rating_count, 0), coalesce(a.one_star, 0), coalesce(a.two_stars, 0),
            coalesce(a.three_stars, 0), coalesce(a.four_stars, 0), coalesce(a.five_stars, 0))
           IS DISTINCT FROM
           (coalesce(r.rating_count, 0), coalesce(r.one_star, 0), coalesce(r.two_stars, 0),
            coalesce(r.three_stars, 0), coalesce(r.four_stars, 0), coalesce(r.five_stars, 0))
)
SELECT count(*) AS offending,
       coalesce((array_agg(id ORDER BY id))[1 : CAST(:sample_size AS integer)], '{}') AS sample_ids
  FROM offending;

-- name: check_undelivered_webhook_events(sample_size)^
-- Webhook deliveries still PENDING an hour after their event was written (a dispatcher down, an endpoint failing).
WITH offending AS (
    SELECT CAST(d.id AS text) AS id
      FROM webhook_deliveries d
      JOIN outbox_events e ON e.id = d.event_id
     WHERE d.status = 'PENDING'
       AND e.created_at < now() - interval '1 hour'
)
SELECT count(*) AS offending,
       coalesce((array_agg(id ORDER BY id))[1 : CAST(:sample_size AS integer)], '{}') AS sample_ids
  FROM offending;

-- name: start_run()<!
-- Record the start of a run of the checks.
INSERT INTO quality_runs DEFAULT VALUES
RETURNING id, started_at, finished_at, checks_run, anomalies;

-- name: record_anomaly(run_id, check_name, offending_count, sample_ids)!
-- Record what one check found in a run: its count of offending rows and a sample of their ids.
INSERT INTO quality_anomalies (run_id, check_name, offending_count, sample_ids)
VALUES (:run_id, :check_name, :offending_count, CAST(:sample_ids AS text[]));

-- name: finish_run(id, checks_run, anomalies)<!
-- Record the end of a run: how many checks ran and how many found offending rows.
UPDATE quality_runs
   SET finished_at = greatest(now(), started_at), checks_run = :checks_run, anomalies = :anomalies
 WHERE id = :id
RETURNING id, started_at, finished_at, checks_run, anomalies;

-- name: run_anomalies(run_id)
-- The anomalies a run recorded, by check name.
SELECT check_name, offending_count, sample_ids
  FROM quality_anomalies
 WHERE run_id = :run_id
 ORDER BY check_name;
