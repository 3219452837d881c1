"""Carts: the cart, its lines, their totals, and what it takes to add a line."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from shopdb.core.errors import DomainError, InvalidInput
from shopdb.models.base import InputModel, RowModel

MAX_LINE_QUANTITY = 1000
MAX_SESSION_ID = 200
"""The longest guest session id a cart takes (its advisory lock key is made of it)."""


class CartStatus(StrEnum):
    """A cart is ACTIVE until it is checked out into an order or abandoned."""

    ACTIVE = "ACTIVE"
    CHECKED_OUT = "CHECKED_OUT"
    ABANDONED = "ABANDONED"


class Cart(RowModel):
    """A cart of a user, or of a guest session before login (then it expires)."""

    id: UUID
    user_id: UUID | None
    session_id: str | None
    status: CartStatus
    expires_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


class CartItem(RowModel):
    """One line: a variant, how many, and the unit price it had when it was added."""

    id: UUID
    cart_id: UUID
    product_variant_id: UUID
    quantity: int
    unit_price: Decimal
    line_total: Decimal
    created_at: datetime
    updated_at: datetime


class CartTotals(RowModel):
    """A cart's lines, units and subtotal (exact decimals)."""

    cart_id: UUID
    line_count: int
    item_count: int
    subtotal: Decimal


class CartWithItems(BaseModel):
    """A cart and its lines, read in two queries whatever the number of lines."""

    model_config = ConfigDict(frozen=True)

    cart: Cart
    items: list[CartItem]


Quantity = Annotated[int, Field(ge=1, le=MAX_LINE_QUANTITY, strict=True)]


class CartLine(InputModel):
    """A variant to put in a cart, and how many (1 to 1000 in one call)."""

    product_variant_id: UUID
    quantity: Quantity = 1


def cart_line(line: CartLine | UUID, quantity: int | None = None) -> CartLine:
    """The CartLine ``add_item`` is given, or the one a variant id and a quantity (default 1)
    make; InvalidInput when both a CartLine and a quantity come, or they make no CartLine."""
    if isinstance(line, CartLine):
        if quantity is not None:
            raise InvalidInput("add_item takes a CartLine or a variant id and quantity, not both")
        return line
    return CartLine(product_variant_id=line, quantity=1 if quantity is None else quantity)


class CartLock(RowModel):
    """The locked cart of a checkout: whose it is and whether it can still be checked out."""

    cart_id: UUID
    user_id: UUID | None
    status: CartStatus


class CheckoutLine(RowModel):
    """A cart line on its way into an order: the price in the cart and today's, and whether
    its product is on sale (ACTIVE, not deleted)."""

    product_variant_id: UUID
    product_id: UUID
    quantity: int
    unit_price: Decimal
    current_price: Decimal
    currency: str
    on_sale: bool


class CartNotActive(DomainError):
    """The cart was checked out or abandoned: its lines can no longer change."""


class CartLineQuantityExceeded(DomainError):
    """A cart line would hold more than 1000 units (cart_items_quantity_max_check)."""
