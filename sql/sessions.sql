-- Sessions: refresh-token sessions of a user. Only the SHA-256 of the refresh token is
-- stored (refresh_token_hash); no query selects it. Reads of a user's sessions take the
-- user id, so no caller can list or revoke another user's sessions by guessing an id.

-- name: create(user_id, refresh_token_hash, fingerprint, ip_address, user_agent, ttl_s)<!
-- Start a session that expires ttl_s seconds from now.
INSERT INTO user_sessions (user_id, refresh_token_hash, fingerprint, ip_address, user_agent,
                           expires_at)
VALUES (:user_id, :refresh_token_hash, :fingerprint, :ip_address, :user_agent,
        now() + make_interval(secs => :ttl_s))
RETURNING id, user_id, fingerprint, ip_address, user_agent, expires_at, revoked_at,
          last_seen_at, created_at, updated_at;

-- name: find_active(refresh_token_hash)^
-- The session of this token hash, unless revoked or expired or its user is not live and ACTIVE.
-- budget: 2 ms at 10M users; index user_sessions_refresh_token_hash_key, users_pkey; rows 2
SELECT s.id, s.user_id, s.fingerprint, s.ip_address, s.user_agent, s.expires_at, s.revoked_at,
       s.last_seen_at, s.created_at, s.updated_at
  FROM user_sessions AS s
  JOIN users AS u ON u.id = s.user_id
 WHERE s.refresh_token_hash = :refresh_token_hash
   AND s.revoked_at IS NULL
   AND s.expires_at > now()
   AND u.status = 'ACTIVE'
   AND u.deleted_at IS NULL;

-- name: touch(user_id, id, min_interval_s)!
-- Stamp last_seen_at of a live session, unless it was stamped less than min_interval_s ago.
UPDATE user_sessions
   SET last_seen_at = now()
 WHERE id = :id
   AND user_id = :user_id
   AND revoked_at IS NULL
   AND expires_at > now()
   AND (last_seen_at IS NULL OR last_seen_at <= now() - make_interval(secs => :min_interval_s));

-- name: revoke(user_id, id)<!
-- Revoke one live session of this user; None when the user has no such live session.
UPDATE user_sessions
   SET revoked_at = now()
 WHERE id = :id
   AND user_id = :user_id
   AND revoked_at IS NULL
   AND expires_at > now()
RETURNING id, user_id, fingerprint, ip_address, user_agent, expires_at, revoked_at,
          last_seen_at, created_at, updated_at;

-- name: revoke_all_for_user(user_id)!
-- Revoke every live session of this user (logout everywhere, password change).
UPDATE user_sessions
   SET revoked_at = now()
 WHERE user_id = :user_id
   AND revoked_at IS NULL
   AND expires_at > now();

-- name: list_for_user(user_id, after_created_at, after_id, limit)
-- One keyset page of the user's live sessions, newest first.
SELECT id, user_id, fingerprint, ip_address, user_agent, expires_at, revoked_at,
       last_seen_at, created_at, updated_at
  FROM user_sessions
 WHERE user_id = :user_id
   AND revoked_at IS NULL
   AND expires_at > now()
   AND (created_at, id) < (:after_created_at, :after_id)
 ORDER BY created_at DESC, id DESC
 LIMIT :limit;

-- name: delete_expired(batch_size)!
-- Delete at most batch_size expired sessions (oldest expiry first), skipping rows locked by others.
DELETE FROM user_sessions
 WHERE id IN (SELECT id
                FROM user_sessions
               WHERE expires_at <= now()
               ORDER BY expires_at
               LIMIT :batch_size
                 FOR UPDATE SKIP LOCKED);

-- name: erase_for_user(user_id)!
-- An erasure's step: the user's sessions (ended by then) lose their fingerprint, IP address and user agent.
UPDATE user_sessions
   SET fingerprint = NULL, ip_address = NULL, user_agent = NULL
 WHERE user_id = :user_id
   AND (fingerprint IS NOT NULL OR ip_address IS NOT NULL OR user_agent IS NOT NULL);
