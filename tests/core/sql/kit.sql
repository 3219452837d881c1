-- Carts seen through a repository that only the kit tests declare (tests/core/test_repository.py).

-- name: create(session_id)<!
-- Insert a guest cart and return it.
INSERT INTO carts (session_id)
VALUES (:session_id)
RETURNING id, user_id, session_id, status, expires_at, version, created_at, updated_at;

-- name: get(id)^
-- The cart with this id.
SELECT id, user_id, session_id, status, expires_at, version, created_at, updated_at
  FROM carts
 WHERE id = :id;

-- name: list_for_session(session_id, after_created_at, after_id, limit)
-- One keyset page of a session's carts, newest first.
SELECT id, user_id, session_id, status, expires_at, version, created_at, updated_at
  FROM carts
 WHERE session_id = :session_id
   AND (created_at, id) < (:after_created_at, :after_id)
 ORDER BY created_at DESC, id DESC
 LIMIT :limit;

-- name: count_for_session(session_id)$
-- How many carts a session has.
SELECT count(*) FROM carts WHERE session_id = :session_id;

-- name: page_for_session(session_id, limit, offset)
-- One offset page of a session's carts, oldest first.
SELECT id, user_id, session_id, status, expires_at, version, created_at, updated_at
  FROM carts
 WHERE session_id = :session_id
 ORDER BY created_at, id
 LIMIT :limit OFFSET :offset;

-- name: update(id, expected_version, set_session_id, session_id, set_expires_at, expires_at)<!
-- A versioned patch of a cart.
UPDATE carts
   SET session_id = CASE WHEN :set_session_id THEN :session_id ELSE session_id END,
       expires_at = CASE WHEN :set_expires_at THEN :expires_at ELSE expires_at END,
       version    = next_version(version, :expected_version)
 WHERE id = :id
RETURNING id, user_id, session_id, status, expires_at, version, created_at, updated_at;

-- name: patch_unversioned(id, set_session_id, session_id, set_expires_at, expires_at)<!
-- A patch of a cart without optimistic locking.
UPDATE carts
   SET session_id = CASE WHEN :set_session_id THEN :session_id ELSE session_id END,
       expires_at = CASE WHEN :set_expires_at THEN :expires_at ELSE expires_at END
 WHERE id = :id
RETURNING id, user_id, session_id, status, expires_at, version, created_at, updated_at;

-- name: delete(id)!
-- Delete a cart.
DELETE FROM carts WHERE id = :id;

-- name: create_each(session_id)*!
-- Insert one guest cart for each parameter set.
INSERT INTO carts (session_id)
VALUES (:session_id);

-- name: expire_each(id, expires_at)*!
-- Set the expiry of one cart for each parameter set.
UPDATE carts
   SET expires_at = :expires_at
 WHERE id = :id;

-- name: shorten_lock_timeout#
-- Give up waiting for a lock after 100 ms, until the end of the transaction.
SET LOCAL lock_timeout = '100ms';

-- name: current_lock_timeout()$
-- The lock_timeout of this connection now.
SELECT current_setting('lock_timeout') AS lock_timeout;

-- name: lock_cart(id)^
-- The cart with this id, row-locked until the end of the transaction.
SELECT id, user_id, session_id, status, expires_at, version, created_at, updated_at
  FROM carts
 WHERE id = :id
   FOR NO KEY UPDATE;

-- name: lock_session(session_id)
-- Every cart of a session, by id, row-locked until the end of the transaction.
SELECT id, user_id, session_id, status, expires_at, version, created_at, updated_at
  FROM carts
 WHERE session_id = :session_id
 ORDER BY id
   FOR NO KEY UPDATE;

-- name: lock_and_die(key)$
-- Take an advisory lock, then terminate its own backend: a lock whose connection dies under it.
SELECT pg_terminate_backend(pg_backend_pid()) AS terminated
  FROM pg_advisory_xact_lock(hashtextextended(:key, 0));
