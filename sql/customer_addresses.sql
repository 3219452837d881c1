-- A customer's own addresses: every statement carries the owner (user_id = :user_id), so
-- another customer's address is not found, exactly as if it did not exist.

-- name: get(id, user_id)^
-- The customer's live address with this id.
SELECT id, user_id, label, full_name, phone, line1, line2, city, state, postal_code,
       country, is_default, created_at, updated_at
  FROM addresses
 WHERE id = :id AND user_id = :user_id AND deleted_at IS NULL;

-- name: update(id, user_id, set_label, label, set_full_name, full_name, set_phone, phone, set_line1, line1, set_line2, line2, set_city, city, set_state, state, set_postal_code, postal_code, set_country, country)<!
-- Change the fields whose set_ flag is true (to NULL too); None unless it is the customer's live address.
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
 WHERE id = :id AND user_id = :user_id AND deleted_at IS NULL
RETURNING id, user_id, label, full_name, phone, line1, line2, city, state, postal_code,
          country, is_default, created_at, updated_at;

-- name: delete(id, user_id)!
-- Soft-delete the customer's live address; it is no longer the default.
UPDATE addresses
   SET deleted_at = now(), is_default = false
 WHERE id = :id AND user_id = :user_id AND deleted_at IS NULL;
