"""The order state machine against a real PostgreSQL: change_status, mark_paid and
payments.settle share one implementation of the transition rules, the timestamps, the version
bump and the stock that moves, each in one transaction."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from uuid import uuid4

import psycopg
import pytest

from shopdb import Database, Transaction
from shopdb.errors import (
    IllegalPaymentTransition,
    IllegalStatusTransition,
    InvalidInput,
    NotFoundError,
    ReservationExceeded,
    StaleVersionError,
)
from shopdb.models import OrderStatus, PaymentProvider, PaymentStatus
from tests.repositories.fixture_orders import Shop, checkout_of, fill_cart, new_shop, stock_of


@pytest.fixture
def shop(tx: Transaction) -> Shop:
    return new_shop(tx, tx.connection)


# --- the state machine -------------------------------------------------------------------------


def test_an_order_walks_the_state_machine_stamping_each_step(tx: Transaction, shop: Shop) -> None:
    order = tx.orders.place_from_cart(fill_cart(tx, shop, (3, 0)), checkout_of(shop)).order

    for status in (
        OrderStatus.PAID,
        OrderStatus.FULFILLED,
        OrderStatus.SHIPPED,
        OrderStatus.DELIVERED,
    ):
        order = tx.orders.change_status(order.id, status, order.version)

    assert order.status is OrderStatus.DELIVERED
    assert order.version == 5
    assert None not in (order.fulfilled_at, order.shipped_at, order.delivered_at)
    assert stock_of(tx.connection, shop.variants[0]) == (7, 0)


@pytest.mark.parametrize(
    ("path", "illegal"),
    [
        ((), OrderStatus.SHIPPED),
        ((OrderStatus.PAID, OrderStatus.FULFILLED), OrderStatus.CANCELLED),
        ((OrderStatus.CANCELLED,), OrderStatus.PAID),
        ((), OrderStatus.PENDING),
    ],
)
def test_a_change_outside_the_state_machine_is_refused(
    tx: Transaction, shop: Shop, path: tuple[OrderStatus, ...], illegal: OrderStatus
) -> None:
    order = tx.orders.place_from_cart(fill_cart(tx, shop), checkout_of(shop)).order
    for status in path:
        order = tx.orders.change_status(order.id, status, order.version)

    with pytest.raises(IllegalStatusTransition, match="state machine"):
        tx.orders.change_status(order.id, illegal, order.version)

    assert tx.orders.get(order.id).order == order


def test_a_status_outside_the_state_machine_is_invalid_input(tx: Transaction, shop: Shop) -> None:
    order = tx.orders.place_from_cart(fill_cart(tx, shop), checkout_of(shop)).order

    with pytest.raises(InvalidInput, match="one of PENDING, PAID"):
        tx.orders.change_status(order.id, "LOST", order.version)  # type: ignore[arg-type]


def test_a_stale_version_is_refused(tx: Transaction, shop: Shop) -> None:
    order = tx.orders.place_from_cart(fill_cart(tx, shop), checkout_of(shop)).order
    tx.orders.change_status(order.id, OrderStatus.PAID, order.version)

    with pytest.raises(StaleVersionError):
        tx.orders.change_status(order.id, OrderStatus.CANCELLED, order.version)


def test_cancelling_a_pending_order_releases_its_reservation(tx: Transaction, shop: Shop) -> None:
    order = tx.orders.place_from_cart(fill_cart(tx, shop, (4, 0)), checkout_of(shop)).order

    tx.orders.change_status(order.id, OrderStatus.CANCELLED, order.version)

    assert stock_of(tx.connection, shop.variants[0]) == (10, 0)


def test_cancelling_a_paid_order_releases_its_reservation(tx: Transaction, shop: Shop) -> None:
    order = tx.orders.place_from_cart(fill_cart(tx, shop, (4, 0)), checkout_of(shop)).order
    paid = tx.orders.change_status(order.id, OrderStatus.PAID, order.version)
    assert stock_of(tx.connection, shop.variants[0]) == (10, 4)

    cancelled = tx.orders.change_status(order.id, OrderStatus.CANCELLED, paid.version)

    assert cancelled.cancelled_at is not None
    assert stock_of(tx.connection, shop.variants[0]) == (10, 0)


def test_fulfilling_an_order_turns_its_reservation_into_a_sale(tx: Transaction, shop: Shop) -> None:
    order = tx.orders.place_from_cart(fill_cart(tx, shop, (4, 1)), checkout_of(shop)).order
    paid = tx.orders.change_status(order.id, OrderStatus.PAID, order.version)

    tx.orders.change_status(order.id, OrderStatus.FULFILLED, paid.version)

    assert stock_of(tx.connection, shop.variants[0]) == (6, 0)
    assert stock_of(tx.connection, shop.variants[1]) == (9, 0)


@pytest.mark.parametrize("status", [OrderStatus.FULFILLED, OrderStatus.CANCELLED])
def test_a_change_whose_stock_cannot_move_changes_nothing(
    tx: Transaction, shop: Shop, status: OrderStatus
) -> None:
    order = tx.orders.place_from_cart(fill_cart(tx, shop, (4, 0)), checkout_of(shop)).order
    paid = tx.orders.change_status(order.id, OrderStatus.PAID, order.version)
    tx.connection.execute(
        "UPDATE inventory SET quantity_reserved = 1 WHERE product_variant_id = %s",
        [shop.variants[0]],
    )

    with pytest.raises(ReservationExceeded):
        tx.orders.change_status(order.id, status, paid.version)

    assert tx.orders.get(order.id).order == paid
    assert stock_of(tx.connection, shop.variants[0]) == (10, 1)


def test_mark_paid_moves_a_pending_order_at_its_current_version(
    tx: Transaction, shop: Shop
) -> None:
    order = tx.orders.place_from_cart(fill_cart(tx, shop), checkout_of(shop)).order

    paid = tx.orders.mark_paid(order.id)

    assert (paid.status, paid.version) == (OrderStatus.PAID, order.version + 1)
    assert stock_of(tx.connection, shop.variants[0]) == (10, 2)
    with pytest.raises(IllegalStatusTransition, match="PAID -> PAID"):
        tx.orders.mark_paid(order.id)
    with pytest.raises(NotFoundError, match="order"):
        tx.orders.mark_paid(uuid4())


def test_settling_a_payment_moves_its_order_through_the_state_machine(
    tx: Transaction, shop: Shop
) -> None:
    order = tx.orders.place_from_cart(fill_cart(tx, shop), checkout_of(shop)).order
    payment = tx.payments.initiate(order.id, PaymentProvider.MANUAL)

    tx.payments.settle(payment.id)

    paid = tx.orders.get(order.id).order
    assert (paid.status, paid.version) == (OrderStatus.PAID, order.version + 1)
    with pytest.raises(StaleVersionError):
        tx.orders.change_status(order.id, OrderStatus.CANCELLED, order.version)
    fulfilled = tx.orders.change_status(order.id, OrderStatus.FULFILLED, paid.version)
    assert fulfilled.fulfilled_at is not None


def test_settling_a_payment_of_a_cancelled_order_fails_the_payment_only(
    tx: Transaction, shop: Shop
) -> None:
    # Issue 23 point 12: the payment that lost to the cancel is FAILED, not left INITIATED.
    order = tx.orders.place_from_cart(fill_cart(tx, shop), checkout_of(shop)).order
    payment = tx.payments.initiate(order.id, PaymentProvider.MANUAL)
    cancelled = tx.orders.change_status(order.id, OrderStatus.CANCELLED, order.version)

    with pytest.raises(IllegalPaymentTransition, match="not PENDING") as caught:
        tx.payments.settle(payment.id)

    assert isinstance(caught.value.__cause__, IllegalStatusTransition)
    assert tx.payments.get(payment.id).status is PaymentStatus.FAILED
    assert tx.orders.get(order.id).order == cancelled


# --- races ------------------------------------------------------------------------------------


def _race(calls: list[Any]) -> list[str]:
    """Run the calls at once; each outcome is the status reached or the error's class name."""
    start = threading.Barrier(len(calls))

    def run(call: Any) -> str:
        start.wait(timeout=10)
        try:
            return str(call().status.value)
        except (StaleVersionError, IllegalPaymentTransition) as refused:
            return type(refused).__name__

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def test_racing_cancels_at_one_version_cancel_once_and_release_once(
    db: Database, postgresql: psycopg.Connection[Any]
) -> None:
    postgresql.autocommit = True
    shop = new_shop(db, postgresql)
    order = db.orders.place_from_cart(fill_cart(db, shop, (3, 0)), checkout_of(shop)).order

    def cancel() -> Any:
        return db.orders.change_status(order.id, OrderStatus.CANCELLED, order.version)

    outcomes = _race([cancel, cancel, cancel])

    assert sorted(outcomes) == ["CANCELLED", "StaleVersionError", "StaleVersionError"]
    assert stock_of(postgresql, shop.variants[0]) == (10, 0)


def test_a_settlement_racing_a_cancel_leaves_one_consistent_outcome(
    db: Database, postgresql: psycopg.Connection[Any]
) -> None:
    postgresql.autocommit = True
    shop = new_shop(db, postgresql)
    order = db.orders.place_from_cart(fill_cart(db, shop, (3, 0)), checkout_of(shop)).order
    payment = db.payments.initiate(order.id, PaymentProvider.MANUAL)

    settled, cancelled = _race(
        [
            lambda: db.payments.settle(payment.id),
            lambda: db.orders.change_status(order.id, OrderStatus.CANCELLED, order.version),
        ]
    )

    final = db.orders.get(order.id).order
    if settled == "SETTLED":
        assert (cancelled, final.status) == ("StaleVersionError", OrderStatus.PAID)
        assert stock_of(postgresql, shop.variants[0]) == (10, 3)
    else:
        assert (settled, cancelled) == ("IllegalPaymentTransition", "CANCELLED")
        assert db.payments.get(payment.id).status is PaymentStatus.FAILED  # issue 23 point 12
        assert stock_of(postgresql, shop.variants[0]) == (10, 0)
