-- A repository that only tests/repositories/test_audit.py declares: one audited write.

-- name: lock(id)^
-- The user with this id, locked for the change that follows.
SELECT id, phone
  FROM users
 WHERE id = :id
   FOR UPDATE;

-- name: set_phone(id, phone)<!
-- Change a user's phone number.
UPDATE users
   SET phone = :phone
 WHERE id = :id
RETURNING id, phone;
