-- The statements of `shopdb budgets` (shopdb.budgets): the data set its plan assertions run
-- on (generated in the server with generate_series: seconds, not minutes), and the values
-- the budgeted queries are explained with.

-- name: fill_users(users)!
-- Add this many users (budget<n>@example.com), created over the last two years.
INSERT INTO users (email, password_hash, email_verified, created_at, updated_at)
SELECT 'budget' || n || '@example.com',
       '$argon2id$v=19$m=65536,t=3,p=4$c2VlZHNlZWQ$YmVuY2htYXJraGFzaA',
       true,
       now() - make_interval(secs => (n * 63072000.0 / :users::integer)),
       now() - make_interval(secs => (n * 63072000.0 / :users::integer))
  FROM generate_series(1, :users::integer) AS n;

-- name: fill_sessions()!
-- One live session per user that has none (its token hash derived from the user id).
INSERT INTO user_sessions (user_id, refresh_token_hash, expires_at)
SELECT u.id, encode(sha256(convert_to(u.id::text, 'UTF8')), 'hex'), now() + interval '30 days'
  FROM users u
 WHERE NOT EXISTS (SELECT 1 FROM user_sessions s WHERE s.user_id = u.id);

-- name: fill_orders()!
-- One PENDING order (no items, zero amounts) per user that has none, placed when the user was made.
INSERT INTO orders (reference, user_id, total_amount, subtotal_amount, idempotency_key,
                    created_at, updated_at)
SELECT 'BG-' || upper(replace(u.id::text, '-', '')), u.id, 0, 0, 'budget-' || u.id, u.created_at, u.created_at
  FROM users u
 WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.id);

-- name: analyze_hot_tables#
-- Fresh planner statistics for the tables the budgets are about.
ANALYZE users, user_sessions, orders;

-- name: sample()^
-- One user with a live session and an order, from the middle of the ids: the values the budgeted queries are explained with.
SELECT u.id AS user_id, u.email, s.refresh_token_hash
  FROM users u
  JOIN user_sessions s ON s.user_id = u.id
 WHERE u.id >= (SELECT o.user_id FROM orders o ORDER BY o.user_id OFFSET (SELECT count(*) / 2 FROM users) LIMIT 1)
   AND s.revoked_at IS NULL AND s.expires_at > now() AND u.deleted_at IS NULL
   AND EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.id)
 ORDER BY u.id
 LIMIT 1;

-- name: user_count()$
-- How many users the data set holds.
SELECT count(*) FROM users;
