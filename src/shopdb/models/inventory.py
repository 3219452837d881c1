"""Inventory: the stock counters of one variant."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

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
