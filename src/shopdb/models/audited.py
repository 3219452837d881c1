"""The states the audit log records for the operations of shopdb.audit_list: small models of
what an audited change moved (a status and version, an amount, a price), never a secret."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from uuid import UUID

from shopdb.models.base import RowModel
from shopdb.models.categories import Category
from shopdb.models.coupons import Coupon, CouponType
from shopdb.models.orders import Order, OrderStatus
from shopdb.models.payments import Payment, PaymentStatus
from shopdb.models.reviews import ReviewStatus


class OrderStatusChange(RowModel):
    """An order's place in its state machine."""

    status: OrderStatus
    version: int

    @classmethod
    def of(cls, order: Order) -> OrderStatusChange:
        """The status part of an order."""
        return cls(status=order.status, version=order.version)


class OrderStatusOnly(RowModel):
    """An order's status alone, where a batch moved many orders (an expiry)."""

    status: OrderStatus


class PaymentState(RowModel):
    """What a payment holds of money: its status, amount, settled price and refunds."""

    id: UUID
    status: PaymentStatus
    amount: Decimal
    paid_price: Decimal | None
    currency: str
    refunded: Decimal

    @classmethod
    def of(cls, payment: Payment, refunded: Decimal) -> PaymentState:
        """The money part of a payment, with what was refunded of it."""
        return cls(
            id=payment.id, status=payment.status, amount=payment.amount,
            paid_price=payment.paid_price, currency=payment.currency, refunded=refunded,
        )  # fmt: skip


class VariantPrice(RowModel):
    """The price of a variant: what a cart charges for it."""

    id: UUID
    product_id: UUID
    price: Decimal


class CouponState(RowModel):
    """Whether a coupon can be used, and its terms."""

    id: UUID
    code: str
    type: CouponType
    value: Decimal
    min_order_amount: Decimal | None = None
    max_discount_amount: Decimal | None = None
    usage_limit: int | None
    per_user_limit: int | None = None
    starts_at: datetime | None = None
    expires_at: datetime | None = None
    is_active: bool

    @classmethod
    def of(cls, coupon: Coupon) -> CouponState:
        """The terms of a coupon."""
        return cls.model_validate(coupon.model_dump(include=set(cls.model_fields)))


class ReviewModeration(RowModel):
    """A review's moderation status."""

    id: UUID
    status: ReviewStatus


class CategoryPlace(RowModel):
    """A category's name and place in the tree."""

    id: UUID
    name: str
    slug: str
    parent_id: UUID | None

    @classmethod
    def of(cls, category: Category) -> CategoryPlace:
        """The name and place of a category."""
        return cls(id=category.id, name=category.name, slug=category.slug,
                   parent_id=category.parent_id)  # fmt: skip


class CategoryState(RowModel):
    """What an admin edits of a category: its name, place, text, pictures and order."""

    id: UUID
    name: str
    slug: str
    parent_id: UUID | None
    description: str | None
    image_url: str | None
    icon_url: str | None
    display_order: int

    @classmethod
    def of(cls, category: Category) -> CategoryState:
        """The editable state of a category."""
        return cls.model_validate(category.model_dump(include=set(cls.model_fields)))


class CollectionState(RowModel):
    """What an admin edits of a collection."""

    id: UUID
    name: str
    slug: str
    description: str | None
    image_url: str | None
    status: str
    display_order: int


class CollectionOrder(RowModel):
    """The products of a collection in display order (a reorder's before and after)."""

    product_ids: list[UUID]


class ReviewRemoval(RowModel):
    """A review as a deletion took it down: what its product's rating lost."""

    id: UUID
    product_id: UUID
    rating: int
    status: ReviewStatus


class EmailChange(RowModel):
    """Whether a user's email changed and was verified; the address itself is not kept (the
    log outlives an erasure)."""

    email_verified: bool
    email_changed: bool
