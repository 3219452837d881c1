"""The transactional outbox: each change writes its event in its own transaction, numbered
per aggregate, its payload valid for its model; a rolled-back change leaves no event."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from uuid import UUID

import pytest
from pydantic import ValidationError

from shopdb import Transaction
from shopdb.core.errors import ConflictError, ConstraintViolation, NotFoundError
from shopdb.models import OrderStatus, PaymentProvider
from shopdb.models.events import (
    PAYLOADS,
    AggregateType,
    EventType,
    OrderPaid,
    OutboxEvent,
)
from tests.events.idle import make_idle
from tests.repositories.fixture_orders import checkout_of, fill_cart, new_shop
from tests.schema.rows import Rows

Change = Callable[[Transaction], UUID]
"""Makes the change of one event type; returns the id of its aggregate."""


def _placed(tx: Transaction) -> UUID:
    shop = new_shop(tx, tx.connection)
    placed = tx.checkout.place_from_cart(fill_cart(tx, shop), checkout_of(shop))
    return placed.order.id


def _order_to(*path: OrderStatus) -> Change:
    def change(tx: Transaction) -> UUID:
        order_id: UUID = Rows(tx.connection).id("orders")
        for status in path:
            version = tx.orders.get(order_id).order.version
            tx.fulfilment.change_status(order_id, status, version)
        return order_id

    return change


def _settled_payment(tx: Transaction) -> UUID:
    payment = tx.payments.initiate(Rows(tx.connection).id("orders"), PaymentProvider.IYZICO)
    tx.settlement.settle(payment.id)
    return payment.id


def _settled_order(tx: Transaction) -> UUID:
    order_id: UUID = Rows(tx.connection).id("orders")
    tx.settlement.settle(tx.payments.initiate(order_id, PaymentProvider.IYZICO).id)
    return order_id


def _refunded(tx: Transaction) -> UUID:
    payment_id: UUID = Rows(tx.connection).id("payments")
    tx.payments.refund(payment_id, Decimal("10.00"), reason="damaged")
    return payment_id


def _low_stock(tx: Transaction) -> UUID:
    shop = new_shop(tx, tx.connection, stock=3)
    tx.connection.execute(
        "UPDATE inventory SET low_stock_threshold = 1 WHERE product_variant_id = %s",
        [shop.variants[0]],
    )
    tx.checkout.place_from_cart(fill_cart(tx, shop, (2, 1)), checkout_of(shop))
    return tx.inventory.get_for_variant(shop.variants[0]).id


def _approved(tx: Transaction) -> UUID:
    review_id: UUID = Rows(tx.connection).id("reviews")
    tx.reviews.approve(review_id)
    return review_id


def _abandoned(tx: Transaction) -> UUID:
    shop = new_shop(tx, tx.connection)
    cart_id = fill_cart(tx, shop)
    make_idle(tx.connection, cart_id)
    reminders = tx.cart_recovery.remind(limit=500)
    assert cart_id in {r.cart_id for r in reminders}
    return cart_id


CHANGES: dict[EventType, tuple[AggregateType, Change]] = {
    EventType.ORDER_PLACED: (AggregateType.ORDER, _placed),
    EventType.ORDER_PAID: (AggregateType.ORDER, _settled_order),
    EventType.ORDER_CANCELLED: (AggregateType.ORDER, _order_to(OrderStatus.CANCELLED)),
    EventType.ORDER_SHIPPED: (
        AggregateType.ORDER,
        _order_to(OrderStatus.PAID, OrderStatus.FULFILLED, OrderStatus.SHIPPED),
    ),
    EventType.ORDER_DELIVERED: (
        AggregateType.ORDER,
        _order_to(
            OrderStatus.PAID, OrderStatus.FULFILLED, OrderStatus.SHIPPED, OrderStatus.DELIVERED
        ),
    ),
    EventType.PAYMENT_SETTLED: (AggregateType.PAYMENT, _settled_payment),
    EventType.PAYMENT_REFUNDED: (AggregateType.PAYMENT, _refunded),
    EventType.INVENTORY_LOW_STOCK: (AggregateType.INVENTORY, _low_stock),
    EventType.REVIEW_APPROVED: (AggregateType.REVIEW, _approved),
    EventType.CART_ABANDONED: (AggregateType.CART, _abandoned),
}


def _of_type(
    tx: Transaction, kind: AggregateType, aggregate_id: UUID, event: EventType
) -> list[OutboxEvent]:
    return [e for e in tx.events.history(kind, aggregate_id) if e.event_type is event]


def test_every_event_type_has_a_change() -> None:
    assert set(CHANGES) == set(EventType) == set(PAYLOADS)


@pytest.mark.parametrize("event", list(EventType), ids=str)
def test_the_change_writes_one_event_with_a_valid_payload(
    tx: Transaction, event: EventType
) -> None:
    kind, change = CHANGES[event]
    aggregate_id = change(tx)

    (written,) = _of_type(tx, kind, aggregate_id, event)
    payload = written.data()
    assert isinstance(payload, PAYLOADS[event])
    assert payload.aggregate_id == aggregate_id
    assert written.aggregate_type is kind
    sequences = [e.sequence for e in tx.events.history(kind, aggregate_id)]
    assert sequences == list(range(1, len(sequences) + 1))


@pytest.mark.parametrize("event", list(EventType), ids=str)
def test_a_rolled_back_change_leaves_no_event(tx: Transaction, event: EventType) -> None:
    kind, change = CHANGES[event]
    done: list[UUID] = []
    with pytest.raises(_Undo), tx.savepoint():
        done.append(change(tx))
        assert _of_type(tx, kind, done[0], event)  # there inside the transaction
        raise _Undo
    assert _of_type(tx, kind, done[0], event) == []


def test_an_order_s_events_are_numbered_in_the_order_of_its_changes(tx: Transaction) -> None:
    order_id = _order_to(OrderStatus.PAID, OrderStatus.FULFILLED, OrderStatus.SHIPPED,
                         OrderStatus.DELIVERED)(tx)  # fmt: skip
    history = tx.events.history(AggregateType.ORDER, order_id)
    assert [(e.sequence, e.event_type) for e in history] == [
        (1, EventType.ORDER_PAID), (2, EventType.ORDER_SHIPPED), (3, EventType.ORDER_DELIVERED),
    ]  # fmt: skip
    assert history[0].payload["status"] == "PAID"
    assert OrderPaid.model_validate(history[0].payload).version == history[0].payload["version"]


def test_the_expiry_batch_writes_order_cancelled_for_each_order(tx: Transaction) -> None:
    rows = Rows(tx.connection)
    old = [rows.id("orders") for _ in range(2)]
    tx.connection.execute(
        "UPDATE orders SET created_at = now() - interval '3 days' WHERE id = ANY(%s)", [old]
    )
    tx.fulfilment.expire_unpaid(timedelta(days=1))
    for order_id in old:
        (event,) = tx.events.history(AggregateType.ORDER, order_id)
        assert event.event_type is EventType.ORDER_CANCELLED


def test_the_database_holds_one_event_per_aggregate_sequence(tx: Transaction) -> None:
    order_id = _order_to(OrderStatus.CANCELLED)(tx)
    with pytest.raises(ConflictError) as refused, tx.savepoint():
        tx.connection.execute(
            """INSERT INTO outbox_events
                      (aggregate_type, aggregate_id, sequence, event_type, payload)
               VALUES ('order', %s, 1, 'order.paid', '{}')""",
            [order_id],
        )
    assert refused.value.constraint == "outbox_events_aggregate_type_aggregate_id_sequence_key"


def test_a_payload_that_breaks_its_model_is_refused(tx: Transaction) -> None:
    with pytest.raises(ValidationError, match="order_id"):
        OrderPaid.model_validate({"order_id": "not a uuid"})
    with pytest.raises(ValidationError, match=r"extra|unexpected"):
        PAYLOADS[EventType.REVIEW_APPROVED].model_validate(
            {"review_id": UUID(int=1), "product_id": UUID(int=2), "user_id": None, "rating": 5,
             "password": "x"}
        )  # fmt: skip


def test_the_database_refuses_an_event_type_of_another_aggregate(tx: Transaction) -> None:
    with pytest.raises(ConstraintViolation) as refused, tx.savepoint():
        tx.connection.execute(
            """INSERT INTO outbox_events
                      (aggregate_type, aggregate_id, sequence, event_type, payload)
               VALUES ('cart', %s, 1, 'order.paid', '{}')""",
            [UUID(int=7)],
        )
    assert refused.value.constraint == "outbox_events_event_aggregate_check"


class _Undo(Exception):
    """Raised inside a savepoint to roll the change back."""


def test_an_event_is_read_back_by_id_and_a_consumer_has_no_cursor_before_its_first_batch(
    tx: Transaction,
) -> None:
    order_id = _order_to(OrderStatus.CANCELLED)(tx)
    (written,) = tx.events.history(AggregateType.ORDER, order_id)
    assert tx.events.get(written.id) == written
    with pytest.raises(NotFoundError):
        tx.events.get(UUID(int=0))
    with pytest.raises(NotFoundError):
        tx.events.cursor("never_consumed")
