"""Orders: the order, its items, the checkout input and the back-office figures."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from shopdb.core.errors import ConflictError, DomainError
from shopdb.models.base import InputModel, RowModel


class OrderStatus(StrEnum):
    """The order state machine: PENDING -> PAID -> FULFILLED -> SHIPPED -> DELIVERED, and
    PENDING or PAID -> CANCELLED."""

    PENDING = "PENDING"
    PAID = "PAID"
    FULFILLED = "FULFILLED"
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"
    CANCELLED = "CANCELLED"


TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PENDING: frozenset({OrderStatus.PAID, OrderStatus.CANCELLED}),
    OrderStatus.PAID: frozenset({OrderStatus.FULFILLED, OrderStatus.CANCELLED}),
    OrderStatus.FULFILLED: frozenset({OrderStatus.SHIPPED}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.DELIVERED}),
    OrderStatus.DELIVERED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}


class Order(RowModel):
    """A placed order; amounts are exact decimals and total = subtotal + tax - discount."""

    id: UUID
    reference: str
    user_id: UUID | None
    cart_id: UUID | None
    idempotency_key: str | None
    """The key of the checkout that placed it (None for an order placed without one)."""
    status: OrderStatus
    subtotal_amount: Decimal
    discount_amount: Decimal
    tax_amount: Decimal
    total_amount: Decimal
    currency: str
    shipping_address_id: UUID | None
    billing_address_id: UUID | None
    shipping_address_snapshot: dict[str, Any] | None
    billing_address_snapshot: dict[str, Any] | None
    placed_at: datetime | None
    fulfilled_at: datetime | None
    shipped_at: datetime | None
    delivered_at: datetime | None
    cancelled_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


class OrderItem(RowModel):
    """One item with what it was when bought: title and variant snapshots, unit price."""

    id: UUID
    order_id: UUID
    product_id: UUID | None
    product_variant_id: UUID | None
    quantity: int
    unit_price: Decimal
    line_total: Decimal
    currency: str
    title_snapshot: str
    variant_snapshot: dict[str, Any]
    created_at: datetime


class OrderWithItems(BaseModel):
    """An order and its items (two queries)."""

    model_config = ConfigDict(frozen=True)

    order: Order
    items: list[OrderItem]


def _key_text(value: object) -> object:
    """A UUID key (uuid4(), the usual choice) is taken as its text."""
    return str(value) if isinstance(value, UUID) else value


IdempotencyKey = Annotated[
    str,
    BeforeValidator(_key_text),
    StringConstraints(min_length=8, max_length=200, pattern=r"^[!-~]+$"),
]


class Checkout(InputModel):
    """What place_from_cart needs besides the cart: addresses, an optional coupon, the
    idempotency key the client generated for this checkout, and the tax rate to apply."""

    shipping_address_id: UUID
    billing_address_id: UUID
    idempotency_key: IdempotencyKey
    coupon_code: Annotated[str, StringConstraints(min_length=3, max_length=64)] | None = None
    tax_rate: Annotated[Decimal, Field(ge=0, le=1, decimal_places=4)] = Decimal("0")


class NewOrder(InputModel):
    """An order as a checkout writes it: whose, from which cart, under which key, and the
    amounts the checkout computed (the total is subtotal + tax - discount)."""

    user_id: UUID
    cart_id: UUID
    idempotency_key: IdempotencyKey
    subtotal_amount: Decimal
    discount_amount: Decimal
    tax_amount: Decimal
    currency: str
    shipping_address_id: UUID
    billing_address_id: UUID


class OrderKey(RowModel):
    """The order an idempotency key already placed, the cart it came from and its user."""

    id: UUID
    cart_id: UUID | None
    user_id: UUID | None


class StatusFigures(RowModel):
    """How many orders are in a status and what they add up to."""

    status: OrderStatus
    orders: int
    revenue: Decimal


class DayFigures(RowModel):
    """Orders placed on one day (UTC) and what they add up to, cancelled ones left out."""

    day: date
    orders: int
    revenue: Decimal


class CheckoutRefused(DomainError):
    """A cart that cannot be checked out: empty, a guest's, or with an address that is not
    its user's."""


class IdempotencyKeyReused(DomainError, ConflictError):
    """The idempotency key already placed an order from another cart; a ConflictError too,
    like every duplicate key."""


class IllegalStatusTransition(DomainError):
    """An order status change that the order state machine does not allow."""


class PriceChange(BaseModel):
    """A cart line whose price is not today's: the price in the cart and the price now."""

    model_config = ConfigDict(frozen=True)

    product_variant_id: UUID
    old_price: Decimal
    new_price: Decimal


class PricesChanged(DomainError):
    """Checkout refused: some lines of the cart were priced otherwise than today. The cart's
    lines now hold today's prices (committed), so the next try at these prices succeeds;
    no order, no reservation. ``lines`` lists each changed line."""

    def __init__(self, lines: list[PriceChange]) -> None:
        super().__init__(
            f"the prices of {len(lines)} cart line(s) changed: the cart now shows today's prices"
        )
        self.lines = lines


class ProductUnavailable(DomainError):
    """Checkout refused: some lines are of products no longer on sale (not ACTIVE, deleted,
    or the variant gone). ``lines`` are their variant ids; nothing is written."""

    def __init__(self, lines: list[UUID]) -> None:
        super().__init__(f"{len(lines)} cart line(s) are of products no longer on sale")
        self.lines = lines
