-- Users: accounts, credentials and login bookkeeping. Ordinary reads never select
-- password_hash or two_factor_secret; get_credentials is the one query that does.

-- name: create(email, password_hash, first_name, last_name, phone)<!
-- Insert a new active user and return its public columns.
INSERT INTO users (email, password_hash, first_name, last_name, phone)
VALUES (:email, :password_hash, :first_name, :last_name, :phone)
RETURNING id, email, first_name, last_name, phone, email_verified, email_verified_at,
          failed_login_count, lockout_until, last_login_at, two_factor_enabled, status,
          created_at, updated_at, deleted_at;

-- name: get(id)^
-- The user with this id, unless soft-deleted.
-- budget: 1 ms at 10M users; index users_pkey; rows 1
SELECT id, email, first_name, last_name, phone, email_verified, email_verified_at,
       failed_login_count, lockout_until, last_login_at, two_factor_enabled, status,
       created_at, updated_at, deleted_at
  FROM users
 WHERE id = :id AND deleted_at IS NULL;

-- name: get_including_deleted(id)^
-- The user with this id, soft-deleted or not.
SELECT id, email, first_name, last_name, phone, email_verified, email_verified_at,
       failed_login_count, lockout_until, last_login_at, two_factor_enabled, status,
       created_at, updated_at, deleted_at
  FROM users
 WHERE id = :id;

-- name: find_by_email(email)^
-- The active user with this email, in any letter case; None if there is none.
-- budget: 2 ms at 10M users; index users_email_lower_key; rows 1
SELECT id, email, first_name, last_name, phone, email_verified, email_verified_at,
       failed_login_count, lockout_until, last_login_at, two_factor_enabled, status,
       created_at, updated_at, deleted_at
  FROM users
 WHERE lower(email) = lower(:email) AND deleted_at IS NULL;

-- name: list_users(after_created_at, after_id, limit)
-- One keyset page of users, newest first, strictly after the given (created_at, id).
SELECT id, email, first_name, last_name, phone, email_verified, email_verified_at,
       failed_login_count, lockout_until, last_login_at, two_factor_enabled, status,
       created_at, updated_at, deleted_at
  FROM users
 WHERE deleted_at IS NULL
   AND (created_at, id) < (:after_created_at, :after_id)
 ORDER BY created_at DESC, id DESC
 LIMIT :limit;

-- name: list_users_by_status(status, after_created_at, after_id, limit)
-- One keyset page of users in one status, newest first, after the given (created_at, id).
SELECT id, email, first_name, last_name, phone, email_verified, email_verified_at,
       failed_login_count, lockout_until, last_login_at, two_factor_enabled, status,
       created_at, updated_at, deleted_at
  FROM users
 WHERE deleted_at IS NULL
   AND status = :status
   AND (created_at, id) < (:after_created_at, :after_id)
 ORDER BY created_at DESC, id DESC
 LIMIT :limit;

-- name: update(id, set_email, email, set_first_name, first_name, set_last_name, last_name, set_phone, phone)<!
-- Change the fields whose set_ flag is true (to NULL too); a new email is unverified. None when the user is absent.
UPDATE users
   SET email             = CASE WHEN :set_email      THEN :email      ELSE email      END,
       email_verified    = CASE WHEN :set_email AND email IS DISTINCT FROM :email THEN false
                                ELSE email_verified END,
       email_verified_at = CASE WHEN :set_email AND email IS DISTINCT FROM :email THEN NULL
                                ELSE email_verified_at END,
       first_name        = CASE WHEN :set_first_name THEN :first_name ELSE first_name END,
       last_name         = CASE WHEN :set_last_name  THEN :last_name  ELSE last_name  END,
       phone             = CASE WHEN :set_phone      THEN :phone      ELSE phone      END
 WHERE id = :id AND deleted_at IS NULL
RETURNING id, email, first_name, last_name, phone, email_verified, email_verified_at,
          failed_login_count, lockout_until, last_login_at, two_factor_enabled, status,
          created_at, updated_at, deleted_at;

-- name: soft_delete(id)!
-- Mark a live user deleted, remembering a suspension; touches no row when it is absent or already deleted.
UPDATE users
   SET deleted_at = now(), status = 'DELETED', suspended_when_deleted = (status = 'SUSPENDED')
 WHERE id = :id AND deleted_at IS NULL;

-- name: restore(id)<!
-- Bring a soft-deleted user back, SUSPENDED if it was then and ACTIVE otherwise; never an erased one.
UPDATE users
   SET deleted_at = NULL,
       status = CASE WHEN suspended_when_deleted THEN 'SUSPENDED' ELSE 'ACTIVE' END,
       suspended_when_deleted = false
 WHERE id = :id AND deleted_at IS NOT NULL AND erased_at IS NULL
RETURNING id, email, first_name, last_name, phone, email_verified, email_verified_at,
          failed_login_count, lockout_until, last_login_at, two_factor_enabled, status,
          created_at, updated_at, deleted_at;

-- name: count(status)$
-- How many live users there are, in one status or (status NULL) in all.
SELECT count(*)
  FROM users
 WHERE deleted_at IS NULL
   AND (status = :status OR :status::text IS NULL);

-- name: email_exists(email)$
-- Whether any user, deleted ones included, holds this email in any letter case.
SELECT EXISTS (SELECT 1 FROM users WHERE lower(email) = lower(:email));

-- name: record_failed_login(id, max_failures, lockout_seconds)<!
-- Count one failed login atomically; lock once the count reaches max_failures (a lockout that ran out restarts the count).
UPDATE users
   SET failed_login_count = CASE
           WHEN lockout_until <= now() THEN 1
           ELSE failed_login_count + 1
       END,
       lockout_until = CASE
           WHEN lockout_until > now() THEN lockout_until
           WHEN (CASE WHEN lockout_until <= now() THEN 1 ELSE failed_login_count + 1 END)
                >= :max_failures
           THEN now() + make_interval(secs => :lockout_seconds)
       END
 WHERE id = :id AND deleted_at IS NULL
RETURNING id, email, first_name, last_name, phone, email_verified, email_verified_at,
          failed_login_count, lockout_until, last_login_at, two_factor_enabled, status,
          created_at, updated_at, deleted_at;

-- name: record_successful_login(id)<!
-- Clear the failure count and lockout and stamp last_login_at, unless a lockout is running.
UPDATE users
   SET failed_login_count = 0, lockout_until = NULL, last_login_at = now()
 WHERE id = :id AND deleted_at IS NULL AND (lockout_until IS NULL OR lockout_until <= now())
RETURNING id, email, first_name, last_name, phone, email_verified, email_verified_at,
          failed_login_count, lockout_until, last_login_at, two_factor_enabled, status,
          created_at, updated_at, deleted_at;

-- name: get_credentials(email)^
-- What a login check needs, password hash included, for the live user with this email.
-- budget: 2 ms at 10M users; index users_email_lower_key; rows 1
SELECT id, email, password_hash, status, failed_login_count, lockout_until,
       two_factor_enabled, two_factor_secret
  FROM users
 WHERE lower(email) = lower(:email) AND deleted_at IS NULL;

-- name: is_locked(id)$
-- Whether a lockout of the user with this id is running now (the database's clock decides).
SELECT EXISTS (SELECT 1 FROM users WHERE id = :id AND lockout_until > now());

-- name: verify_email(id)<!
-- Mark the live user's email verified; a second call keeps the first verification time.
UPDATE users
   SET email_verified = true, email_verified_at = coalesce(email_verified_at, now())
 WHERE id = :id AND deleted_at IS NULL
RETURNING id, email, first_name, last_name, phone, email_verified, email_verified_at,
          failed_login_count, lockout_until, last_login_at, two_factor_enabled, status,
          created_at, updated_at, deleted_at;

-- name: enable_two_factor(id, two_factor_secret)<!
-- Store the two-factor secret and turn two-factor on; the secret is not returned.
UPDATE users
   SET two_factor_secret = :two_factor_secret, two_factor_enabled = true
 WHERE id = :id AND deleted_at IS NULL
RETURNING id, email, first_name, last_name, phone, email_verified, email_verified_at,
          failed_login_count, lockout_until, last_login_at, two_factor_enabled, status,
          created_at, updated_at, deleted_at;

-- name: disable_two_factor(id)<!
-- Turn two-factor off and forget its secret.
UPDATE users
   SET two_factor_secret = NULL, two_factor_enabled = false
 WHERE id = :id AND deleted_at IS NULL
RETURNING id, email, first_name, last_name, phone, email_verified, email_verified_at,
          failed_login_count, lockout_until, last_login_at, two_factor_enabled, status,
          created_at, updated_at, deleted_at;

-- name: change_password_hash(id, password_hash)<!
-- Replace the live user's password hash; the hash is not returned.
UPDATE users
   SET password_hash = :password_hash
 WHERE id = :id AND deleted_at IS NULL
RETURNING id, email, first_name, last_name, phone, email_verified, email_verified_at,
          failed_login_count, lockout_until, last_login_at, two_factor_enabled, status,
          created_at, updated_at, deleted_at;

-- name: lock_for_status_change(id)^
-- The live user with this id, row-locked (NO KEY UPDATE: rows referencing it can still be inserted) until the end of the transaction.
SELECT id, email, first_name, last_name, phone, email_verified, email_verified_at,
       failed_login_count, lockout_until, last_login_at, two_factor_enabled, status,
       created_at, updated_at, deleted_at
  FROM users
 WHERE id = :id AND deleted_at IS NULL
   FOR NO KEY UPDATE;

-- name: set_status(id, status)<!
-- Set the status of a live user (the repository checks the transition first).
UPDATE users
   SET status = :status
 WHERE id = :id AND deleted_at IS NULL
RETURNING id, email, first_name, last_name, phone, email_verified, email_verified_at,
          failed_login_count, lockout_until, last_login_at, two_factor_enabled, status,
          created_at, updated_at, deleted_at;

-- name: erase(id)<!
-- Anonymize a user for a deletion request: no email, name, phone, password or two-factor left; deleted, never restored.
UPDATE users
   SET email = 'erased-' || id::text || '@erased.invalid',
       password_hash = '$erased$' || replace(id::text, '-', ''),
       first_name = NULL, last_name = NULL, phone = NULL,
       email_verified = false, email_verified_at = NULL,
       two_factor_enabled = false, two_factor_secret = NULL,
       status = 'DELETED', deleted_at = coalesce(deleted_at, now()),
       suspended_when_deleted = false, erased_at = now()
 WHERE id = :id AND erased_at IS NULL
RETURNING id, email, first_name, last_name, phone, email_verified, email_verified_at,
          failed_login_count, lockout_until, last_login_at, two_factor_enabled, status,
          created_at, updated_at, deleted_at;

-- name: lock_erasure(id)$
-- Hold the user's erasure lock until the transaction ends: writes of rows of the user are refused meanwhile (0063's triggers).
SELECT true AS locked
  FROM pg_advisory_xact_lock(user_erasure_lock_key(:id));

-- name: lock_for_erasure(id)^
-- The user with this id, deleted or not (not yet erased), row-locked until the end of the transaction.
SELECT id, email, first_name, last_name, phone, email_verified, email_verified_at,
       failed_login_count, lockout_until, last_login_at, two_factor_enabled, status,
       created_at, updated_at, deleted_at
  FROM users
 WHERE id = :id AND erased_at IS NULL
   FOR NO KEY UPDATE;
