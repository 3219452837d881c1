"""Audit log: who acted (Actor) and the entries that record a change (AuditEntry)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from ipaddress import IPv4Address, IPv6Address
from typing import Annotated, Any, Self
from uuid import UUID

from pydantic import IPvAnyAddress, StringConstraints, model_validator

from shopdb.models.base import InputModel, RowModel, Text

AuditText = Annotated[Text, StringConstraints(min_length=1, max_length=100)]
UserAgent = Annotated[Text, StringConstraints(max_length=1000)]


class ActorType(StrEnum):
    """Who made a change: a user acting for themselves, staff, or the system itself."""

    USER = "USER"
    ADMIN = "ADMIN"
    SYSTEM = "SYSTEM"


class Actor(InputModel):
    """The author of an audited change. USER and ADMIN name a user; SYSTEM may not."""

    type: ActorType
    user_id: UUID | None = None
    ip_address: IPvAnyAddress | None = None
    user_agent: UserAgent | None = None

    @model_validator(mode="after")
    def _user_named(self) -> Self:
        """A USER or ADMIN actor names its user_id."""
        if self.type is not ActorType.SYSTEM and self.user_id is None:
            raise ValueError(f"an actor of type {self.type} must name its user_id")
        return self

    @classmethod
    def system(cls) -> Actor:
        """The system itself (a scheduler, a migration, a seed)."""
        return cls(type=ActorType.SYSTEM)

    @classmethod
    def user(cls, user_id: UUID) -> Actor:
        """A user acting for themselves."""
        return cls(type=ActorType.USER, user_id=user_id)

    @classmethod
    def admin(cls, user_id: UUID) -> Actor:
        """A member of staff acting on someone else's data."""
        return cls(type=ActorType.ADMIN, user_id=user_id)


class AuditEntry(RowModel):
    """One audit row: the action, the entity and its key, the state before and after."""

    id: UUID
    user_id: UUID | None
    actor_type: ActorType
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    ip_address: IPv4Address | IPv6Address | None
    user_agent: str | None
    created_at: datetime
