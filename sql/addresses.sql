-- Addresses: each user's address book. Deleted addresses keep their row (deleted_at) so that
-- orders pointing at them stay valid; at most one live address per user is the default.

-- name: create(user_id, label, full_name, phone, line1, line2, city, state, postal_code, country)<!
-- Insert a new address (not the default) and return it.
INSERT INTO addresses (user_id, label, full_name, phone, line1, line2, city, state,
                       postal_code, country)
VALUES (:user_id, :label, :full_name, :phone, :line1, :line2, :city, :state,
        :postal_code, :country)
RETURNING id, user_id, label, full_name, phone, line1, line2, city, state, postal_code,
          country, is_default, created_at, updated_at;

-- name: get(id)^
-- The live address with this id.
SELECT id, user_id, label, full_name, phone, line1, line2, city, state, postal_code,
       country, is_default, created_at, updated_at
  FROM addresses
 WHERE id = :id AND deleted_at IS NULL;

-- name: update(id, set_label, label, set_full_name, full_name, set_phone, phone, set_line1, line1, set_line2, line2, set_city, city, set_state, state, set_postal_code, postal_code, set_country, country)<!
-- Change the fields whose set_ flag is true (to NULL too); None when the address is absent.
UPDATE addresses
   SET label       = CASE WHEN :set_label       THEN :label       ELSE label       END,
       full_name   = CASE WHEN :set_full_name   THEN :full_name   ELSE full_name   END,
       phone       = CASE WHEN :set_phone       THEN :phone       ELSE phone       END,
       line1       = CASE WHEN :set_line1       THEN :line1       ELSE line1       END,
       line2       = CASE WHEN :set_line2       THEN :line2       ELSE line2       END,
       city        = CASE WHEN :set_city        THEN :city        ELSE city        END,
       state       = CASE WHEN :set_state       THEN :state       ELSE state       END,
       postal_code = CASE WHEN :set_postal_code THEN :postal_code ELSE postal_code END,
       country     = CASE WHEN :set_country     THEN :country     ELSE country     END
 WHERE id = :id AND deleted_at IS NULL
RETURNING id, user_id, label, full_name, phone, line1, line2, city, state, postal_code,
          country, is_default, created_at, updated_at;

-- name: delete(id)!
-- Soft-delete a live address; a deleted address is no longer the default.
UPDATE addresses
   SET deleted_at = now(), is_default = false
 WHERE id = :id AND deleted_at IS NULL;

-- name: list_for_user(user_id)
-- The live addresses of a user: the default first, then oldest first.
SELECT id, user_id, label, full_name, phone, line1, line2, city, state, postal_code,
       country, is_default, created_at, updated_at
  FROM addresses
 WHERE user_id = :user_id AND deleted_at IS NULL
 ORDER BY is_default DESC, created_at, id;

-- name: lock_owner(user_id)$
-- Serialize the default-address changes of one user until the transaction ends (an advisory lock).
SELECT true AS locked
  FROM pg_advisory_xact_lock(hashtextextended('shopdb.addresses:' || CAST(:user_id AS text), 0));

-- name: clear_default(user_id)!
-- Unset the user's current default address, if any.
UPDATE addresses
   SET is_default = false
 WHERE user_id = :user_id AND is_default AND deleted_at IS NULL;

-- name: mark_default(id, user_id)<!
-- Make this live address of the user the default; None when it is not theirs or gone.
UPDATE addresses
   SET is_default = true
 WHERE id = :id AND user_id = :user_id AND deleted_at IS NULL
RETURNING id, user_id, label, full_name, phone, line1, line2, city, state, postal_code,
          country, is_default, created_at, updated_at;

-- name: erase_for_user(user_id)!
-- Anonymize every address of a user for an erasure: name, phone, label, lines, state and postal code go; city and country stay; deleted.
UPDATE addresses
   SET label = NULL, full_name = '[erased]', phone = NULL, line1 = '[erased]', line2 = NULL,
       state = NULL, postal_code = NULL, is_default = false,
       deleted_at = coalesce(deleted_at, now())
 WHERE user_id = :user_id;
