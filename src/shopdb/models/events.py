"""Domain events of the transactional outbox: their types, one payload model per type, and
the stored event. A payload is built from the row its change wrote (``OrderPaid.of(order)``)
and is validated by its model before it is written; the stored JSON is the model's
``model_dump(mode="json")`` (amounts as exact decimal strings)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from shopdb.models.base import RowModel
from shopdb.models.carts import CartStatus
from shopdb.models.inventory import Inventory
from shopdb.models.orders import Order, OrderStatus
from shopdb.models.payments import Payment, PaymentProvider, Refund
from shopdb.models.reviews import Review


class EventType(StrEnum):
    """The domain events (outbox_events_event_type_check holds the same list)."""

    ORDER_PLACED = "order.placed"
    ORDER_PAID = "order.paid"
    ORDER_CANCELLED = "order.cancelled"
    ORDER_SHIPPED = "order.shipped"
    ORDER_DELIVERED = "order.delivered"
    PAYMENT_SETTLED = "payment.settled"
    PAYMENT_REFUNDED = "payment.refunded"
    INVENTORY_LOW_STOCK = "inventory.low_stock"
    REVIEW_APPROVED = "review.approved"
    CART_ABANDONED = "cart.abandoned"


class AggregateType(StrEnum):
    """What an event is about: the first part of its type."""

    ORDER = "order"
    PAYMENT = "payment"
    INVENTORY = "inventory"
    REVIEW = "review"
    CART = "cart"


class EventPayload(BaseModel):
    """Base of the payload models: what an event says, validated before it is written."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[EventType]

    @property
    def aggregate_type(self) -> AggregateType:
        """The aggregate the event belongs to."""
        return AggregateType(self.event_type.value.split(".", 1)[0])

    @property
    def aggregate_id(self) -> UUID:
        """The id of the aggregate (its events are numbered in sequence per id)."""
        raise NotImplementedError

    @property
    def user_id_of_event(self) -> UUID | None:
        """The customer the event concerns (None: nobody's), for the notifications."""
        return getattr(self, "user_id", None)


class OrderEvent(EventPayload):
    """An order's change: its reference, owner, status, total and version after it."""

    order_id: UUID
    reference: str
    user_id: UUID | None
    status: OrderStatus
    total_amount: Decimal
    currency: str
    version: int

    @property
    def aggregate_id(self) -> UUID:
        return self.order_id

    @classmethod
    def of(cls, order: Order) -> OrderEvent:
        """The payload of ``cls`` for this order as it is now."""
        return cls(
            order_id=order.id, reference=order.reference, user_id=order.user_id,
            status=order.status, total_amount=order.total_amount, currency=order.currency,
            version=order.version,
        )  # fmt: skip

    @staticmethod
    def for_status(order: Order) -> OrderEvent | None:
        """The event of the status the order has just moved to (None for a status that has
        none: FULFILLED)."""
        event = _ORDER_EVENTS.get(order.status)
        return None if event is None else event.of(order)


class OrderPlaced(OrderEvent):
    """A checkout placed the order (PENDING)."""

    event_type = EventType.ORDER_PLACED


class OrderPaid(OrderEvent):
    """The order's payment settled: it is PAID."""

    event_type = EventType.ORDER_PAID


class OrderCancelled(OrderEvent):
    """The order was cancelled (by staff, or expired unpaid)."""

    event_type = EventType.ORDER_CANCELLED


class OrderShipped(OrderEvent):
    """The order left the warehouse."""

    event_type = EventType.ORDER_SHIPPED


class OrderDelivered(OrderEvent):
    """The order reached its customer."""

    event_type = EventType.ORDER_DELIVERED


_ORDER_EVENTS: dict[OrderStatus, type[OrderEvent]] = {
    OrderStatus.PAID: OrderPaid,
    OrderStatus.CANCELLED: OrderCancelled,
    OrderStatus.SHIPPED: OrderShipped,
    OrderStatus.DELIVERED: OrderDelivered,
}


class PaymentSettled(EventPayload):
    """A payment settled for its amount."""

    event_type = EventType.PAYMENT_SETTLED

    payment_id: UUID
    order_id: UUID
    user_id: UUID | None
    provider: PaymentProvider
    amount: Decimal
    currency: str

    @property
    def aggregate_id(self) -> UUID:
        return self.payment_id

    @classmethod
    def of(cls, payment: Payment) -> PaymentSettled:
        """The payload for a payment that has just settled."""
        return cls(
            payment_id=payment.id, order_id=payment.order_id, user_id=payment.user_id,
            provider=payment.provider, amount=payment.amount, currency=payment.currency,
        )  # fmt: skip


class PaymentRefunded(EventPayload):
    """A refund of a payment succeeded (``refunded_total`` is all refunded so far)."""

    event_type = EventType.PAYMENT_REFUNDED

    payment_id: UUID
    refund_id: UUID
    amount: Decimal
    currency: str
    refunded_total: Decimal
    fully_refunded: bool

    @property
    def aggregate_id(self) -> UUID:
        return self.payment_id

    @classmethod
    def of(cls, refund: Refund, refunded_total: Decimal, settled: Decimal) -> PaymentRefunded:
        """The payload of a refund, with the payment's refunded total and settled amount."""
        return cls(
            payment_id=refund.payment_id, refund_id=refund.id, amount=refund.amount,
            currency=refund.currency, refunded_total=refunded_total,
            fully_refunded=refunded_total >= settled,
        )  # fmt: skip


class InventoryLowStock(EventPayload):
    """A variant's available stock fell to its low-stock threshold or below."""

    event_type = EventType.INVENTORY_LOW_STOCK

    inventory_id: UUID
    product_variant_id: UUID
    quantity_available: int
    low_stock_threshold: int

    @property
    def aggregate_id(self) -> UUID:
        return self.inventory_id

    @classmethod
    def crossings(cls, before: dict[UUID, int], after: list[Inventory]) -> list[InventoryLowStock]:
        """The rows of ``after`` whose available stock went from above their threshold
        (``before``: available by variant id) to at most it."""
        return [
            cls(
                inventory_id=row.id,
                product_variant_id=row.product_variant_id,
                quantity_available=row.quantity_available,
                low_stock_threshold=row.low_stock_threshold,
            )
            for row in after
            if row.quantity_available
            <= row.low_stock_threshold
            < before.get(row.product_variant_id, row.quantity_available)
        ]


class ReviewApproved(EventPayload):
    """A review was approved and is now shown."""

    event_type = EventType.REVIEW_APPROVED

    review_id: UUID
    product_id: UUID
    user_id: UUID | None
    rating: int

    @property
    def aggregate_id(self) -> UUID:
        return self.review_id

    @classmethod
    def of(cls, review: Review) -> ReviewApproved:
        """The payload for a review just approved."""
        return cls(
            review_id=review.id, product_id=review.product_id, user_id=review.user_id,
            rating=review.rating,
        )  # fmt: skip


class CartAbandoned(EventPayload):
    """An idle cart with items was found worth a reminder (``recovery_id``: the SENT
    recovery event, the token of the reminder's link)."""

    event_type = EventType.CART_ABANDONED

    cart_id: UUID
    user_id: UUID
    email: str
    status: CartStatus
    items: int
    subtotal: Decimal
    recovery_id: UUID

    @property
    def aggregate_id(self) -> UUID:
        return self.cart_id


PAYLOADS: dict[EventType, type[EventPayload]] = {
    model.event_type: model
    for model in (
        OrderPlaced, OrderPaid, OrderCancelled, OrderShipped, OrderDelivered, PaymentSettled,
        PaymentRefunded, InventoryLowStock, ReviewApproved, CartAbandoned,
    )
}  # fmt: skip
"""The payload model of each event type."""


class OutboxEvent(RowModel):
    """A stored event: ``sequence`` counts the events of its aggregate from 1."""

    id: UUID
    aggregate_type: AggregateType
    aggregate_id: UUID
    sequence: int
    event_type: EventType
    payload: dict[str, Any]
    transaction_id: int
    created_at: datetime
    updated_at: datetime

    def data(self) -> EventPayload:
        """The payload as its model."""
        return PAYLOADS[self.event_type].model_validate(self.payload)


class ConsumerCursor(RowModel):
    """Where a consumer of the outbox stands: the last event it consumed."""

    name: str
    after_transaction_id: int
    after_event_id: UUID
    consumed: int
    created_at: datetime
    updated_at: datetime
