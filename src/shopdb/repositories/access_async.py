"""AccessRepository: roles, permissions and their holders over sql/access.sql."""

from __future__ import annotations

from uuid import UUID

from shopdb.core.paging import CursorPage, Keyset
from shopdb.core.unit_async import unit_of_work
from shopdb.models.access import (
    NewPermission,
    NewRole,
    Permission,
    PermissionGrant,
    PermissionKeyRow,
    Role,
    RoleAssignment,
)
from shopdb.models.audit import Actor
from shopdb.models.users import User
from shopdb.repositories.base_async import AsyncShopRepository

BY_USER_ID = Keyset(("id",), (UUID(int=0),))


class AsyncAccessRepository(AsyncShopRepository):
    """Role-based access with direct grants. Changes to what a user holds are audited
    (entity ``users``, the user's id; actions assign_role, unassign_role, grant_permission,
    revoke_permission); a repeated change is a no-op and records nothing."""

    namespace = "access"
    entity = "role or permission"
    tables = ("roles", "permissions", "role_permissions", "user_roles", "user_permissions")
    queries = {
        "create_role": Role,
        "find_role": Role,
        "list_roles": Role,
        "create_permission": Permission,
        "find_permission": Permission,
        "add_role_permission": None,
        "remove_role_permission": None,
        "assign_role": RoleAssignment,
        "unassign_role": RoleAssignment,
        "grant_permission": PermissionGrant,
        "revoke_permission": PermissionGrant,
        "permissions_for_user": PermissionKeyRow,
        "has_permission": None,
        "roles_of_user": Role,
        "users_with_role": User,
    }
    constraint_messages = {
        "roles_name_key": "a role with this name exists",
        "roles_name_check": "a role name is lower case letters, digits, _ and -",
        "permissions_key_key": "a permission with this key exists",
        "permissions_key_check": "a permission key is domain:action",
        "role_permissions_role_id_fkey": "the role does not exist",
        "role_permissions_permission_id_fkey": "the permission does not exist",
        "user_roles_user_id_fkey": "the user does not exist",
        "user_roles_role_id_fkey": "the role does not exist",
        "user_permissions_user_id_fkey": "the user does not exist",
        "user_permissions_permission_id_fkey": "the permission does not exist",
    }
    idempotent = frozenset({"add_role_permission", "assign_role", "grant_permission"})

    async def create_role(self, new: NewRole) -> Role:
        """Store a role; ConflictError when the name is taken."""
        return await self._get("create_role", Role, name=new.name, description=new.description)

    async def find_role(self, name: str) -> Role | None:
        """The role with this name, or None."""
        return await self._find("find_role", Role, name=name)

    async def list_roles(self) -> list[Role]:
        """Every role, by name."""
        return await self._list("list_roles", Role)

    async def create_permission(self, new: NewPermission) -> Permission:
        """Store a permission; ConflictError when the key is taken."""
        return await self._get(
            "create_permission", Permission, key=new.key, description=new.description
        )

    async def find_permission(self, key: str) -> Permission | None:
        """The permission with this key, or None."""
        return await self._find("find_permission", Permission, key=key)

    async def add_role_permission(self, role_id: UUID, permission_id: UUID) -> bool:
        """Let the role grant the permission; False when it already did."""
        return (
            await self._count("add_role_permission", role_id=role_id, permission_id=permission_id)
            > 0
        )

    async def remove_role_permission(self, role_id: UUID, permission_id: UUID) -> bool:
        """Stop the role granting the permission; False when it did not."""
        params = {"role_id": role_id, "permission_id": permission_id}
        return await self._count("remove_role_permission", **params) > 0

    async def assign_role(self, user_id: UUID, role_id: UUID, actor: Actor) -> bool:
        """Give the user the role, audited; False (a no-op) when the user already holds it,
        also when two calls race. ConstraintViolation for an unknown user or role."""
        return await self._change("assign_role", user_id, {"role_id": role_id}, actor)

    async def unassign_role(self, user_id: UUID, role_id: UUID, actor: Actor) -> bool:
        """Take the role from the user, audited; False (a no-op) when the user lacks it."""
        return await self._change("unassign_role", user_id, {"role_id": role_id}, actor)

    async def grant_permission(self, user_id: UUID, permission_id: UUID, actor: Actor) -> bool:
        """Grant the permission directly, audited; False (a no-op) when already granted."""
        return await self._change(
            "grant_permission", user_id, {"permission_id": permission_id}, actor
        )

    async def revoke_permission(self, user_id: UUID, permission_id: UUID, actor: Actor) -> bool:
        """Withdraw a direct grant, audited; False (a no-op) when there was none."""
        return await self._change(
            "revoke_permission", user_id, {"permission_id": permission_id}, actor
        )

    async def permissions_for_user(self, user_id: UUID) -> frozenset[str]:
        """Every permission key the user has, through its roles or directly (one query)."""
        rows = await self._list("permissions_for_user", PermissionKeyRow, user_id=user_id)
        return frozenset(row.key for row in rows)

    async def has_permission(self, user_id: UUID, key: str) -> bool:
        """Whether the user has ``key`` (or ``domain:*``), by a role or directly (one query)."""
        return bool(await self._value("has_permission", user_id=user_id, key=key))

    async def roles_of_user(self, user_id: UUID) -> list[Role]:
        """The roles the user holds, by name."""
        return await self._list("roles_of_user", Role, user_id=user_id)

    async def users_with_role(
        self, role_id: UUID, *, limit: int = 20, cursor: str | None = None
    ) -> CursorPage[User]:
        """The live users holding the role, by user id, ``limit`` at a time."""
        return await self._page(
            "users_with_role", User, BY_USER_ID, limit=limit, cursor=cursor, role_id=role_id
        )

    @unit_of_work
    async def _change(
        self, name: str, user_id: UUID, params: dict[str, UUID], actor: Actor
    ) -> bool:
        """One audited change of what a user holds (action = query name): an insert's row is
        the state after, a delete's the state before; no row means it was a no-op."""
        row = await self._find(name, _MODELS[name], user_id=user_id, **params)
        if name in _ADDING:
            await self._audited(actor, name, user_id, None, row, entity="users")
        else:
            await self._audited(actor, name, user_id, row, None, entity="users")
        return row is not None


_Row = RoleAssignment | PermissionGrant
_MODELS: dict[str, type[_Row]] = {
    "assign_role": RoleAssignment,
    "unassign_role": RoleAssignment,
    "grant_permission": PermissionGrant,
    "revoke_permission": PermissionGrant,
}
_ADDING = frozenset({"assign_role", "grant_permission"})
