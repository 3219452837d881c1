"""Sessions: the refresh-token session read model, its create input, the token hash."""

from __future__ import annotations

import hashlib
from datetime import datetime
from ipaddress import IPv4Address, IPv6Address
from typing import Annotated
from uuid import UUID

from pydantic import Field, IPvAnyAddress, SecretStr, StringConstraints

from shopdb.models.base import InputModel, RowModel, Text

SESSION_TTL_S = 30 * 24 * 3600
"""How long a session lives by default: 30 days."""


def refresh_token_hash(token: str | SecretStr) -> str:
    """The hex SHA-256 of a refresh token: what is stored, and what ``find_active`` takes.
    The token is 256 random bits, so a fast unkeyed hash suffices (docs/identity.md)."""
    text = token.get_secret_value() if isinstance(token, SecretStr) else token
    return hashlib.sha256(text.encode()).hexdigest()


class Session(RowModel):
    """A session as the reads return it: never the token or its hash."""

    id: UUID
    user_id: UUID
    fingerprint: str | None
    ip_address: IPv4Address | IPv6Address | None
    user_agent: str | None
    expires_at: datetime
    revoked_at: datetime | None
    last_seen_at: datetime | None
    created_at: datetime
    updated_at: datetime


class NewSession(InputModel):
    """What starting a session takes; the repository draws the refresh token."""

    user_id: UUID
    fingerprint: Annotated[Text, StringConstraints(min_length=1, max_length=200)] | None = None
    ip_address: IPvAnyAddress | None = None
    user_agent: Annotated[Text, StringConstraints(max_length=1000)] | None = None
    ttl_s: int = Field(SESSION_TTL_S, ge=60, le=366 * 24 * 3600)


class CreatedSession(RowModel):
    """A new session and its refresh token: the only time the token is seen (it is not
    stored); SecretStr keeps it out of repr and logs."""

    session: Session
    refresh_token: SecretStr
