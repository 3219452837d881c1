-- Notifications: a user's messages (made from outbox events by the notifications consumer),
-- the unread count over the partial index of unread rows, and preferences per kind and channel.

-- name: create(user_id, kind, title, body, data)<!
-- A new unread notification of a user.
INSERT INTO notifications (user_id, kind, title, body, data)
VALUES (:user_id, :kind, :title, :body, CAST(:data AS jsonb))
RETURNING id, user_id, kind, title, body, data, event_id, read_at, created_at, updated_at;

-- name: create_from_events(user_ids, kinds, titles, bodies, data, event_ids)!
-- The in-app notifications of a batch of events, skipping users who turned the kind off in-app.
INSERT INTO notifications (user_id, kind, title, body, data, event_id)
SELECT n.user_id, n.kind, n.title, n.body, n.data, n.event_id
  FROM unnest(CAST(:user_ids AS uuid[]), CAST(:kinds AS text[]), CAST(:titles AS text[]),
              CAST(:bodies AS text[]), CAST(:data AS jsonb[]), CAST(:event_ids AS uuid[]))
       AS n (user_id, kind, title, body, data, event_id)
  JOIN users u ON u.id = n.user_id
 WHERE NOT EXISTS (SELECT 1
                     FROM notification_preferences p
                    WHERE p.user_id = n.user_id AND p.kind = n.kind
                      AND p.channel = 'IN_APP' AND NOT p.enabled)
ON CONFLICT (event_id, user_id) DO NOTHING;

-- name: list_for_user(user_id, after_created_at, after_id, limit)
-- One keyset page of a user's notifications, newest first.
SELECT id, user_id, kind, title, body, data, event_id, read_at, created_at, updated_at
  FROM notifications
 WHERE user_id = :user_id AND (created_at, id) < (:after_created_at, :after_id)
 ORDER BY created_at DESC, id DESC
 LIMIT :limit;

-- name: unread_count(user_id)$
-- How many unread notifications a user has (an index-only count over the unread rows).
SELECT count(*) AS unread FROM notifications WHERE user_id = :user_id AND read_at IS NULL;

-- name: mark_read(id, user_id)<!
-- Mark one of the user's notifications read (its first reading time stays).
UPDATE notifications
   SET read_at = coalesce(read_at, now())
 WHERE id = :id AND user_id = :user_id
RETURNING id, user_id, kind, title, body, data, event_id, read_at, created_at, updated_at;

-- name: mark_all_read(user_id)!
-- Mark every unread notification of the user read.
UPDATE notifications SET read_at = now() WHERE user_id = :user_id AND read_at IS NULL;

-- name: set_preference(user_id, kind, channel, enabled)<!
-- Whether the user takes this kind of notification on this channel (an upsert).
INSERT INTO notification_preferences (user_id, kind, channel, enabled)
VALUES (:user_id, :kind, :channel, :enabled)
ON CONFLICT (user_id, kind, channel) DO UPDATE SET enabled = EXCLUDED.enabled
RETURNING user_id, kind, channel, enabled, created_at, updated_at;

-- name: preferences(user_id)
-- The preferences a user has set, by kind and channel.
SELECT user_id, kind, channel, enabled, created_at, updated_at
  FROM notification_preferences
 WHERE user_id = :user_id
 ORDER BY kind, channel;

-- name: purge_read_batch(older_than_s, batch_size)!
-- Delete one batch of notifications read more than older_than_s seconds ago.
DELETE FROM notifications
 WHERE id IN (SELECT id
                FROM notifications
               WHERE read_at IS NOT NULL
                 AND read_at < now() - make_interval(secs => :older_than_s)
               ORDER BY read_at
               LIMIT :batch_size);
