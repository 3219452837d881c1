-- Security events: logins, lockouts, password and two-factor changes. A user's events are
-- read through the query that takes the user id; the listing by type is for operators.
-- created_at is the statement's clock so that events written in one transaction keep their order.

-- name: record(user_id, type, ip_address, user_agent, payload)<!
-- Append one event and return it.
INSERT INTO security_events (user_id, type, ip_address, user_agent, payload, created_at,
                             updated_at)
VALUES (:user_id, :type, :ip_address, :user_agent, CAST(:payload AS jsonb), clock_timestamp(),
        clock_timestamp())
RETURNING id, user_id, type, ip_address, user_agent, payload, created_at;

-- name: list_for_user(user_id, after_created_at, after_id, limit)
-- One keyset page of the user's events, newest first.
SELECT id, user_id, type, ip_address, user_agent, payload, created_at
  FROM security_events
 WHERE user_id = :user_id
   AND (created_at, id) < (:after_created_at, :after_id)
 ORDER BY created_at DESC, id DESC
 LIMIT :limit;

-- name: list_by_type(type, after_created_at, after_id, limit)
-- One keyset page of the events of one type, every user's, newest first.
SELECT id, user_id, type, ip_address, user_agent, payload, created_at
  FROM security_events
 WHERE type = :type
   AND (created_at, id) < (:after_created_at, :after_id)
 ORDER BY created_at DESC, id DESC
 LIMIT :limit;

-- name: erase_for_user(user_id)!
-- An erasure's step: the user's events keep their type and time, not the IP address, user agent or payload.
UPDATE security_events
   SET ip_address = NULL, user_agent = NULL, payload = '{}'
 WHERE user_id = :user_id
   AND (ip_address IS NOT NULL OR user_agent IS NOT NULL OR payload <> '{}');
