"""Inventory: the stock counters of one variant."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from shopdb.core.errors import DomainError
from shopdb.models.base import RowModel
from shopdb.models.products import InventoryPolicy


class Inventory(RowModel):
    """Stock of one variant: available = on hand - reserved, never negative."""

    id: UUID
    product_variant_id: UUID
    quantity_on_hand: int
    quantity_reserved: int
    quantity_available: int
    low_stock_threshold: int
    version: int
    created_at: datetime
    updated_at: datetime


class LockedInventory(Inventory):
    """An inventory row locked FOR UPDATE with its product's inventory policy."""

    inventory_policy: InventoryPolicy


class StockCount(RowModel):
    """The counters of a variant an adjustment audits (``inventory``/``adjust``): before the
    stock-take, and after it with the reason given."""

    product_variant_id: UUID
    quantity_on_hand: int
    quantity_reserved: int
    reason: str | None = None

    @classmethod
    def of(cls, row: Inventory, reason: str | None = None) -> StockCount:
        """The counted part of an inventory row, with the reason of the change (after it)."""
        return cls(
            product_variant_id=row.product_variant_id,
            quantity_on_hand=row.quantity_on_hand,
            quantity_reserved=row.quantity_reserved,
            reason=reason,
        )


class ReservedRows(RowModel):
    """The inventory rows one reservation of several variants changed, in variant id order."""

    rows: list[Inventory]


class OutOfStockError(DomainError):
    """A reservation or stock change would take a variant's available quantity below zero.

    ``variant_id``, ``requested`` and ``available`` are set when the repository knows them
    (a refused reservation); a refusal by a CHECK constraint names the constraint instead.
    """

    def __init__(
        self,
        message: str,
        *,
        constraint: str | None = None,
        table: str | None = None,
        column: str | None = None,
        variant_id: object = None,
        requested: int | None = None,
        available: int | None = None,
    ) -> None:
        super().__init__(message, constraint=constraint, table=table, column=column)
        self.variant_id = variant_id
        self.requested = requested
        self.available = available

    @classmethod
    def for_variant(cls, variant_id: object, requested: int, available: int) -> OutOfStockError:
        """The error for ``requested`` units of a variant that has ``available``."""
        return cls(
            f"variant {variant_id} is out of stock: {requested} requested, {available} available",
            table="inventory",
            column="quantity_available",
            variant_id=variant_id,
            requested=requested,
            available=available,
        )


class ReservationExceeded(DomainError):
    """A release or commit of more units than the variant has reserved."""

    def __init__(
        self,
        message: str,
        *,
        constraint: str | None = None,
        table: str | None = None,
        column: str | None = None,
        variant_id: object = None,
        requested: int | None = None,
        reserved: int | None = None,
    ) -> None:
        super().__init__(message, constraint=constraint, table=table, column=column)
        self.variant_id = variant_id
        self.requested = requested
        self.reserved = reserved

    @classmethod
    def for_variant(cls, variant_id: object, requested: int, reserved: int) -> ReservationExceeded:
        """The error for releasing or committing ``requested`` units of ``reserved``."""
        return cls(
            f"variant {variant_id}: {requested} units released or sold, only {reserved} reserved",
            table="inventory",
            column="quantity_reserved",
            variant_id=variant_id,
            requested=requested,
            reserved=reserved,
        )


class ReservationState(StrEnum):
    """A reservation of an order: RESERVED until the order is fulfilled (SOLD) or cancelled
    (RELEASED)."""

    RESERVED = "RESERVED"
    RELEASED = "RELEASED"
    SOLD = "SOLD"


class StockReservation(RowModel):
    """The units one order reserved of one variant (what the counters allowed, under CONTINUE
    possibly fewer than ordered, 0 included)."""

    order_id: UUID
    product_variant_id: UUID
    quantity: int
    state: ReservationState
    created_at: datetime
    updated_at: datetime
