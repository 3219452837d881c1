"""API keys: the key read model, its create input, and what authentication reads."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import Field, SecretStr, StringConstraints, field_validator

from shopdb.models.access import PermissionKey
from shopdb.models.base import InputModel, RowModel, Text


class ApiKeyStatus(StrEnum):
    """ACTIVE until revoked or past its expiry (then read as EXPIRED)."""

    ACTIVE = "ACTIVE"
    REVOKED = "REVOKED"
    EXPIRED = "EXPIRED"


class ApiKey(RowModel):
    """An API key as the reads return it: the public prefix, never the secret or its hash."""

    id: UUID
    user_id: UUID
    name: str
    prefix: str
    scopes: list[str]
    status: ApiKeyStatus
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    created_at: datetime
    updated_at: datetime


class ApiKeyCredentials(ApiKey):
    """The key with its secret hash; read only by ``api_keys.authenticate``."""

    secret_hash: SecretStr

    def public(self) -> ApiKey:
        """The key without its hash."""
        return ApiKey(**{name: getattr(self, name) for name in ApiKey.model_fields})


class NewApiKey(InputModel):
    """What creating a key takes; the repository draws the prefix and the secret."""

    name: Annotated[Text, StringConstraints(min_length=1, max_length=100)]
    scopes: list[PermissionKey] = Field(default_factory=list, max_length=100)
    ttl_s: int | None = Field(None, ge=60, le=10 * 366 * 24 * 3600)
    """Seconds until the key expires; None: never."""

    @field_validator("scopes")
    @classmethod
    def _once_each(cls, scopes: list[str]) -> list[str]:
        """Kept once each, sorted."""
        return sorted(set(scopes))


class CreatedApiKey(RowModel):
    """A new key and its full text ``prefix.secret``: the only time the secret is seen (it is
    not stored); SecretStr keeps it out of repr and logs."""

    api_key: ApiKey
    key: SecretStr
