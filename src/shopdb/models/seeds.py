"""Seeds: the rows the seed profiles read back while they write (natural keys, counts)."""

from __future__ import annotations

from uuid import UUID

from shopdb.core.errors import ConfigurationError, InvalidInput
from shopdb.models.base import RowModel
from shopdb.models.orders import OrderStatus


class NaturalKey(RowModel):
    """A row's id and its natural key (an email, a slug, a SKU, an asset id)."""

    id: UUID
    key: str


class RowId(RowModel):
    """The id of a row that already has what a seed would add (an address, media, ...)."""

    id: UUID


class SeededOrder(RowModel):
    """An order a seeded checkout placed: where it stands in the state machine."""

    id: UUID
    status: OrderStatus
    version: int


class TableCount(RowModel):
    """How many rows one table holds."""

    table_name: str
    row_count: int


class UnknownSeedProfile(InvalidInput):
    """``seed`` was asked for a profile that is not one of ``shopdb.seeds.PROFILES``."""


class SeedConfigurationError(ConfigurationError):
    """A seed profile needs a setting that is missing or unfit (the admin's password of the
    prod profile); nothing was written."""
