-- API keys. A key is `prefix.secret`: the prefix is public (lookup, display), the secret is
-- stored only as its HMAC-SHA-256 (secret_hash) and find_for_authentication is the one query
-- that selects the hash. An ACTIVE key past expires_at reads as EXPIRED. Reads of a user's
-- keys take the user id.

-- name: create(user_id, name, prefix, secret_hash, scopes, ttl_s)<!
-- Store a new active key (expiring ttl_s seconds from now, or never when ttl_s is NULL).
INSERT INTO api_keys (user_id, name, prefix, secret_hash, scopes, expires_at)
VALUES (:user_id, :name, :prefix, :secret_hash, :scopes,
        now() + make_interval(secs => :ttl_s))
RETURNING id, user_id, name, prefix, scopes, status, expires_at, last_used_at, revoked_at,
          created_at, updated_at;

-- name: find_for_authentication(prefix)^
-- The key with this prefix and its secret hash, if its user is live and active.
SELECT k.id, k.user_id, k.name, k.prefix, k.scopes,
       CASE WHEN k.status = 'ACTIVE' AND k.expires_at <= now() THEN 'EXPIRED'
            ELSE k.status END AS status,
       k.expires_at, k.last_used_at, k.revoked_at, k.created_at, k.updated_at, k.secret_hash
  FROM api_keys k
  JOIN users u ON u.id = k.user_id
 WHERE k.prefix = :prefix
   AND u.deleted_at IS NULL
   AND u.status = 'ACTIVE';

-- name: mark_used(id, min_interval_s)!
-- Stamp last_used_at of an active key, unless it was stamped less than min_interval_s ago.
UPDATE api_keys
   SET last_used_at = now()
 WHERE id = :id
   AND status = 'ACTIVE'
   AND (last_used_at IS NULL OR last_used_at <= now() - make_interval(secs => :min_interval_s));

-- name: get_for_user(user_id, id)^
-- The key with this id if it belongs to this user.
SELECT id, user_id, name, prefix, scopes,
       CASE WHEN status = 'ACTIVE' AND expires_at <= now() THEN 'EXPIRED'
            ELSE status END AS status,
       expires_at, last_used_at, revoked_at, created_at, updated_at
  FROM api_keys
 WHERE id = :id AND user_id = :user_id;

-- name: lock_for_user(user_id, id)^
-- The key with this id if it belongs to this user, row-locked (NO KEY UPDATE: rows referencing it can still be inserted) until the end of the transaction.
SELECT id, user_id, name, prefix, scopes,
       CASE WHEN status = 'ACTIVE' AND expires_at <= now() THEN 'EXPIRED'
            ELSE status END AS status,
       expires_at, last_used_at, revoked_at, created_at, updated_at
  FROM api_keys
 WHERE id = :id AND user_id = :user_id
   FOR NO KEY UPDATE;

-- name: revoke(id)<!
-- Revoke a key that is not revoked yet.
UPDATE api_keys
   SET status = 'REVOKED', revoked_at = now()
 WHERE id = :id AND status <> 'REVOKED'
RETURNING id, user_id, name, prefix, scopes, status, expires_at, last_used_at, revoked_at,
          created_at, updated_at;

-- name: list_for_user(user_id, after_created_at, after_id, limit)
-- One keyset page of the user's keys, every status, newest first.
SELECT id, user_id, name, prefix, scopes,
       CASE WHEN status = 'ACTIVE' AND expires_at <= now() THEN 'EXPIRED'
            ELSE status END AS status,
       expires_at, last_used_at, revoked_at, created_at, updated_at
  FROM api_keys
 WHERE user_id = :user_id
   AND (created_at, id) < (:after_created_at, :after_id)
 ORDER BY created_at DESC, id DESC
 LIMIT :limit;

-- name: revoke_all_for_user(user_id)!
-- Revoke every key of this user that is not revoked yet (suspension, deletion, erasure).
UPDATE api_keys
   SET status = 'REVOKED', revoked_at = now()
 WHERE user_id = :user_id AND status <> 'REVOKED';
