"""Addresses: a user's address book entry, its create and patch inputs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import StringConstraints, field_validator

from shopdb.models.base import InputModel, RowModel, Text

Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
AddressPhone = Annotated[str, StringConstraints(pattern=r"^\+[1-9][0-9]{6,14}$")]
FullName = Annotated[Text, StringConstraints(min_length=1, max_length=200)]
Line = Annotated[Text, StringConstraints(min_length=1, max_length=500)]


class Address(RowModel):
    """A live address of a user; ``is_default`` is true for at most one per user."""

    id: UUID
    user_id: UUID
    label: str | None
    full_name: str
    phone: str | None
    line1: str
    line2: str | None
    city: str
    state: str | None
    postal_code: str | None
    country: str
    is_default: bool
    created_at: datetime
    updated_at: datetime


class NewAddress(InputModel):
    """What it takes to add an address; ``country`` is an ISO 3166-1 alpha-2 code."""

    label: Line | None = None
    full_name: FullName
    phone: AddressPhone | None = None
    line1: Line
    line2: Line | None = None
    city: Line
    state: Line | None = None
    postal_code: Line | None = None
    country: Country


class AddressPatch(InputModel):
    """A partial update: only the fields given change; None clears an optional field.
    The default flag is not here: ``addresses.set_default`` moves it."""

    label: Line | None = None
    full_name: FullName | None = None
    phone: AddressPhone | None = None
    line1: Line | None = None
    line2: Line | None = None
    city: Line | None = None
    state: Line | None = None
    postal_code: Line | None = None
    country: Country | None = None

    @field_validator("full_name", "line1", "city", "country")
    @classmethod
    def _not_cleared(cls, value: object) -> object:
        """Cannot be cleared (set to None)."""
        if value is None:
            raise ValueError("cannot be cleared")
        return value
