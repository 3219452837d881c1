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
