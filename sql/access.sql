-- Access: roles and permissions (keys in domain:action form), the roles a user holds and the
-- permissions granted to a user directly. Assignments are INSERT ... ON CONFLICT DO NOTHING:
-- assigning twice, even from two racing transactions, is a no-op and never an error.

-- name: create_role(name, description)<!
-- Insert a role and return it.
INSERT INTO roles (name, description)
VALUES (:name, :description)
RETURNING id, name, description, created_at, updated_at;

-- name: find_role(name)^
-- The role with this name, or None.
SELECT id, name, description, created_at, updated_at
  FROM roles
 WHERE name = :name;

-- name: list_roles()
-- Every role, by name.
SELECT id, name, description, created_at, updated_at
  FROM roles
 ORDER BY name;

-- name: create_permission(key, description)<!
-- Insert a permission and return it.
INSERT INTO permissions (key, description)
VALUES (:key, :description)
RETURNING id, key, description, created_at, updated_at;

-- name: find_permission(key)^
-- The permission with this key, or None.
SELECT id, key, description, created_at, updated_at
  FROM permissions
 WHERE key = :key;

-- name: add_role_permission(role_id, permission_id)!
-- Let a role grant a permission; a no-op when it already does.
INSERT INTO role_permissions (role_id, permission_id)
VALUES (:role_id, :permission_id)
    ON CONFLICT (role_id, permission_id) DO NOTHING;

-- name: remove_role_permission(role_id, permission_id)!
-- Stop a role granting a permission; a no-op when it does not.
DELETE FROM role_permissions
 WHERE role_id = :role_id AND permission_id = :permission_id;

-- name: assign_role(user_id, role_id)<!
-- Give a user a role; None (and no change) when the user already holds it.
INSERT INTO user_roles (user_id, role_id)
VALUES (:user_id, :role_id)
    ON CONFLICT (user_id, role_id) DO NOTHING
RETURNING user_id, role_id, assigned_at;

-- name: unassign_role(user_id, role_id)<!
-- Take a role from a user; None when the user does not hold it.
DELETE FROM user_roles
 WHERE user_id = :user_id AND role_id = :role_id
RETURNING user_id, role_id, assigned_at;

-- name: grant_permission(user_id, permission_id)<!
-- Grant a user a permission directly; None (and no change) when it is already granted.
INSERT INTO user_permissions (user_id, permission_id)
VALUES (:user_id, :permission_id)
    ON CONFLICT (user_id, permission_id) DO NOTHING
RETURNING user_id, permission_id, assigned_at;

-- name: revoke_permission(user_id, permission_id)<!
-- Withdraw a permission granted directly; None when it was not granted.
DELETE FROM user_permissions
 WHERE user_id = :user_id AND permission_id = :permission_id
RETURNING user_id, permission_id, assigned_at;

-- name: permissions_for_user(user_id)
-- The keys of every permission the user has, through a role or directly, once each, sorted.
SELECT p.key
  FROM permissions p
 WHERE p.id IN (SELECT rp.permission_id
                  FROM user_roles ur
                  JOIN role_permissions rp ON rp.role_id = ur.role_id
                 WHERE ur.user_id = :user_id
                 UNION
                SELECT up.permission_id
                  FROM user_permissions up
                 WHERE up.user_id = :user_id)
 ORDER BY p.key;

-- name: has_permission(user_id, key)$
-- Whether the user has this permission, or its domain's wildcard (orders:*), by a role or directly.
SELECT EXISTS (SELECT 1
                 FROM permissions p
                 JOIN user_permissions up ON up.permission_id = p.id
                WHERE p.key IN (:key, CASE WHEN strpos(:key, ':') > 1
                                      THEN split_part(:key, ':', 1) || ':*' END)
                  AND up.user_id = :user_id)
    OR EXISTS (SELECT 1
                 FROM permissions p
                 JOIN role_permissions rp ON rp.permission_id = p.id
                 JOIN user_roles ur ON ur.role_id = rp.role_id
                WHERE p.key IN (:key, CASE WHEN strpos(:key, ':') > 1
                                      THEN split_part(:key, ':', 1) || ':*' END)
                  AND ur.user_id = :user_id);

-- name: roles_of_user(user_id)
-- The roles the user holds, by name.
SELECT r.id, r.name, r.description, r.created_at, r.updated_at
  FROM roles r
  JOIN user_roles ur ON ur.role_id = r.id
 WHERE ur.user_id = :user_id
 ORDER BY r.name;

-- name: users_with_role(role_id, after_id, limit)
-- One keyset page of the live users holding a role, by user id.
SELECT u.id, u.email, u.first_name, u.last_name, u.phone, u.email_verified,
       u.email_verified_at, u.failed_login_count, u.lockout_until, u.last_login_at,
       u.two_factor_enabled, u.status, u.created_at, u.updated_at, u.deleted_at
  FROM user_roles ur
  JOIN users u ON u.id = ur.user_id
 WHERE ur.role_id = :role_id
   AND ur.user_id > :after_id
   AND u.deleted_at IS NULL
 ORDER BY ur.user_id
 LIMIT :limit;
