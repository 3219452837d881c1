-- benchmarks/test_unread_count.py: a user's unread count at scale, over the partial index of
-- unread notifications and over a copy of the table that has only the per-user listing index.

-- name: make_users(count)!
-- count users (the notifications' owners).
INSERT INTO users (email, password_hash)
SELECT 'unread-' || n || '@bench.example', '$argon2id$v=19$m=65536,t=3,p=4$c2VlZHNlZWQ$YmVuY2htYXJraGFzaA'
  FROM generate_series(1, :count) AS n;

-- name: make_notifications(per_user)!
-- per_user notifications of every user, the newest unread and the others read.
INSERT INTO notifications (user_id, kind, title, read_at, created_at)
SELECT u.id, 'order.shipped', 'Order shipped', CASE WHEN k > 1 THEN now() END,
       now() - k * interval '1 hour'
  FROM users u CROSS JOIN generate_series(1, :per_user) AS k;

-- name: copy_without_partial_index#
-- The same rows in a table with the listing index only (what the count would read without the partial index).
CREATE TABLE notifications_plain AS
    SELECT id, user_id, kind, title, body, data, event_id, read_at, created_at, updated_at
      FROM notifications;
CREATE INDEX notifications_plain_user_id_created_at_idx
    ON notifications_plain (user_id, created_at, id);

-- name: vacuum_notifications#
-- Statistics and the visibility map of notifications (one statement: VACUUM runs alone).
VACUUM ANALYZE notifications;

-- name: vacuum_plain#
-- Statistics and the visibility map of the copy.
VACUUM ANALYZE notifications_plain;

-- name: user_ids()
-- Every user id.
SELECT id FROM users;

-- name: unread_plain(user_id)$
-- The unread count read through the listing index of the copy.
SELECT count(*) FROM notifications_plain WHERE user_id = :user_id AND read_at IS NULL;

-- name: sizes()
-- The size of each index the two counts read, and of the tables.
SELECT c.relname, pg_relation_size(c.oid) AS bytes
  FROM pg_class c
 WHERE c.relname IN ('notifications', 'notifications_plain', 'notifications_user_id_unread_idx',
                     'notifications_plain_user_id_created_at_idx',
                     'notifications_user_id_created_at_idx')
 ORDER BY c.relname;

-- name: plan(user_id)
-- The plan of the repository's unread count for one user.
EXPLAIN (COSTS OFF)
SELECT count(*) AS unread FROM notifications WHERE user_id = :user_id AND read_at IS NULL;
