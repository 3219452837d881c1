"""Access: roles, permissions (``domain:action``) and what a user holds."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import StringConstraints

from shopdb.models.base import InputModel, RowModel, Text

PERMISSION_KEY_PATTERN = r"^[a-z][a-z0-9_.-]*:[a-z*][a-z0-9_.*-]*$"
"""domain:action, as the permissions_key_check constraint has it (orders:refund, orders:*)."""

RoleName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{0,62}$")]
PermissionKey = Annotated[str, StringConstraints(max_length=200, pattern=PERMISSION_KEY_PATTERN)]
Description = Annotated[Text, StringConstraints(min_length=1, max_length=1000)]


class Role(RowModel):
    """A named set of permissions (customer, staff, admin...)."""

    id: UUID
    name: str
    description: str | None
    created_at: datetime
    updated_at: datetime


class NewRole(InputModel):
    """What creating a role takes."""

    name: RoleName
    description: Description | None = None


class Permission(RowModel):
    """A grantable action, keyed ``domain:action``."""

    id: UUID
    key: str
    description: str | None
    created_at: datetime
    updated_at: datetime


class NewPermission(InputModel):
    """What creating a permission takes."""

    key: PermissionKey
    description: Description | None = None


class PermissionKeyRow(RowModel):
    """One row of permissions_for_user."""

    key: str


class RoleAssignment(RowModel):
    """A role held by a user, and since when."""

    user_id: UUID
    role_id: UUID
    assigned_at: datetime


class PermissionGrant(RowModel):
    """A permission granted to a user directly, and since when."""

    user_id: UUID
    permission_id: UUID
    assigned_at: datetime
