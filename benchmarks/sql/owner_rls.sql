-- benchmarks/test_owner_rls.py: the customer's order list with and without a row-level
-- security policy on orders bound to the session variable shopdb.user_id.

-- name: setup#
-- 2,000 users with 25 orders each (amounts 0: orders without items), two roles that do not own orders.
DO $$ BEGIN
    CREATE ROLE shopdb_bench_owner_bypass NOLOGIN BYPASSRLS;
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN
    CREATE ROLE shopdb_bench_owner_rls NOLOGIN NOBYPASSRLS;
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
GRANT SELECT ON orders TO shopdb_bench_owner_bypass, shopdb_bench_owner_rls;
INSERT INTO users (email, password_hash)
SELECT 'rls-' || n || '@bench.example', '$argon2id$v=19$m=65536,t=3,p=4$c2VlZHNlZWQ$YmVuY2htYXJraGFzaA'
  FROM generate_series(1, 2000) AS n;
INSERT INTO orders (reference, user_id, subtotal_amount, tax_amount, discount_amount,
                    total_amount, currency, placed_at, created_at)
SELECT 'RLS-' || lpad((row_number() OVER ())::text, 8, '0'), u.id, 0, 0, 0, 0, 'TRY',
       now() - k * interval '1 hour', now() - k * interval '1 hour'
  FROM users u CROSS JOIN generate_series(1, 25) AS k;
ANALYZE users;
ANALYZE orders;

-- name: enable_policy#
-- The policy: a session sees the orders of the customer it is bound to, and no other.
CREATE POLICY orders_owner ON orders
    USING (user_id = NULLIF(current_setting('shopdb.user_id', true), '')::uuid);
ALTER TABLE orders ENABLE ROW LEVEL SECURITY;

-- name: teardown#
-- Drop the roles (their grants first).
DROP OWNED BY shopdb_bench_owner_bypass, shopdb_bench_owner_rls;
DROP ROLE IF EXISTS shopdb_bench_owner_bypass;
DROP ROLE IF EXISTS shopdb_bench_owner_rls;

-- name: user_ids()
-- Every user, by id.
SELECT id FROM users ORDER BY id;

-- name: as_bypass#
-- This session reads as the role the policy does not apply to.
SET ROLE shopdb_bench_owner_bypass;

-- name: as_bound#
-- This session reads as the role the policy applies to.
SET ROLE shopdb_bench_owner_rls;

-- name: bind(user_id)$
-- Bind this session to one customer (the policy reads the variable).
SELECT set_config('shopdb.user_id', :user_id, false);

-- name: visible_orders()$
-- How many orders this session may see.
SELECT count(*) FROM orders;
