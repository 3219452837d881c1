"""Security events: what happened to an account (LOGIN_FAILED, PASSWORD_CHANGED, ...)."""

from __future__ import annotations

from datetime import datetime
from ipaddress import IPv4Address, IPv6Address
from typing import Annotated, Any
from uuid import UUID

from pydantic import Field, IPvAnyAddress, StringConstraints

from shopdb.models.base import InputModel, RowModel, Text

EventType = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]{0,63}$")]
"""Upper snake case, as security_events_type_check has it."""


class SecurityEvent(RowModel):
    """One recorded event."""

    id: UUID
    user_id: UUID | None
    type: str
    ip_address: IPv4Address | IPv6Address | None
    user_agent: str | None
    payload: dict[str, Any]
    created_at: datetime


class NewSecurityEvent(InputModel):
    """What recording an event takes. The payload is stored as given: never put a password,
    token or secret in it."""

    type: EventType
    user_id: UUID | None = None
    ip_address: IPvAnyAddress | None = None
    user_agent: Annotated[Text, StringConstraints(max_length=1000)] | None = None
    payload: dict[str, Any] = Field(default_factory=dict)
