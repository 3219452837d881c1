"""OrderRepository against a real PostgreSQL: checkout, idempotency, the state machine, reads."""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from shopdb import Database, Transaction
from shopdb.errors import (
    CartNotActive,
    CheckoutRefused,
    CouponUnavailable,
    InvalidInput,
    NotFoundError,
    OutOfStockError,
)
from shopdb.models import CartLine, CartStatus, OrderStatus
from tests.repositories.fixture_orders import (
    PRICES,
    Shop,
    checkout_of,
    fill_cart,
    insert_coupon,
    new_buyer,
    new_shop,
    stock_of,
)


@pytest.fixture
def shop(tx: Transaction) -> Shop:
    return new_shop(tx, tx.connection)


# --- place_from_cart --------------------------------------------------------------------------


def test_placing_a_cart_writes_the_order_its_items_and_reserves_the_stock(
    tx: Transaction, shop: Shop
) -> None:
    cart_id = fill_cart(tx, shop, (2, 1))

    placed = tx.orders.place_from_cart(cart_id, checkout_of(shop, tax_rate=Decimal("0.18")))

    order = placed.order
    subtotal = 2 * PRICES[0] + PRICES[1]
    assert order.status is OrderStatus.PENDING
    assert (order.subtotal_amount, order.discount_amount) == (subtotal, Decimal("0.00"))
    assert order.tax_amount == (subtotal * Decimal("0.18")).quantize(Decimal("0.01"))
    assert order.total_amount == order.subtotal_amount + order.tax_amount - order.discount_amount
    assert sum(i.line_total for i in placed.items) == order.subtotal_amount
    assert [i.title_snapshot for i in placed.items] == [placed.items[0].title_snapshot] * 2
    assert {i.variant_snapshot["title"] for i in placed.items} == {"Size 0", "Size 1"}
    assert order.reference.startswith("SO-")
    assert order.shipping_address_snapshot is not None
    assert order.shipping_address_snapshot["city"] == "Istanbul"
    assert tx.carts.get(cart_id).status is CartStatus.CHECKED_OUT
    assert stock_of(tx.connection, shop.variants[0]) == (10, 2)
    assert stock_of(tx.connection, shop.variants[1]) == (10, 1)


def test_the_same_idempotency_key_gives_back_the_same_order(tx: Transaction, shop: Shop) -> None:
    cart_id = fill_cart(tx, shop)
    checkout = checkout_of(shop)

    first = tx.orders.place_from_cart(cart_id, checkout)
    again = tx.orders.place_from_cart(cart_id, checkout)

    assert again == first
    count = tx.connection.execute("SELECT count(*) FROM orders WHERE cart_id = %s", [cart_id])
    assert count.fetchone() == (1,)
    assert stock_of(tx.connection, shop.variants[0]) == (10, 2)


def test_the_checkout_can_be_given_as_keyword_arguments(tx: Transaction, shop: Shop) -> None:
    cart_id = fill_cart(tx, shop)
    key = uuid4()

    placed = tx.orders.place_from_cart(
        cart_id,
        shipping_address_id=shop.address_id,
        billing_address_id=shop.address_id,
        idempotency_key=key,
    )
    again = tx.orders.place_from_cart(cart_id, checkout_of(shop, idempotency_key=str(key)))

    assert again == placed
    assert placed.order.status is OrderStatus.PENDING
    assert len(placed.items) == 2


def test_keyword_arguments_that_make_no_checkout_are_refused_and_write_nothing(
    tx: Transaction, shop: Shop
) -> None:
    cart_id = fill_cart(tx, shop)

    with pytest.raises(InvalidInput, match="idempotency_key"):
        tx.orders.place_from_cart(
            cart_id, shipping_address_id=shop.address_id, billing_address_id=shop.address_id
        )
    with pytest.raises(InvalidInput, match="not both"):
        tx.orders.place_from_cart(cart_id, checkout_of(shop), coupon_code="WELCOME10")

    assert tx.connection.execute("SELECT count(*) FROM orders").fetchone() == (0,)
    assert tx.carts.get(cart_id).status is CartStatus.ACTIVE


def test_the_same_idempotency_key_with_the_users_next_cart_returns_the_first_order(
    tx: Transaction, shop: Shop
) -> None:
    checkout = checkout_of(shop)
    placed = tx.orders.place_from_cart(fill_cart(tx, shop), checkout)
    next_cart = fill_cart(tx, shop)

    replayed = tx.orders.place_from_cart(next_cart, checkout)

    assert replayed == placed
    assert replayed.order.idempotency_key == checkout.idempotency_key
    assert tx.carts.get(next_cart).status is CartStatus.ACTIVE


def test_an_out_of_stock_line_leaves_no_order_no_reservation_and_the_cart_active(
    tx: Transaction, shop: Shop
) -> None:
    cart_id = fill_cart(tx, shop, (2, 11))

    with pytest.raises(OutOfStockError):
        tx.orders.place_from_cart(cart_id, checkout_of(shop))

    assert tx.carts.get(cart_id).status is CartStatus.ACTIVE
    assert stock_of(tx.connection, shop.variants[0]) == (10, 0)
    assert tx.connection.execute("SELECT count(*) FROM orders").fetchone() == (0,)


def test_an_empty_cart_a_guest_cart_and_a_strangers_address_are_refused(
    tx: Transaction, shop: Shop
) -> None:
    empty = fill_cart(tx, shop, (0, 0))
    guest = tx.carts.get_or_create_active(session_id="guest").id
    tx.carts.add_item(guest, CartLine(product_variant_id=shop.variants[0]))
    stranger = new_buyer(tx, tx.connection, shop)

    with pytest.raises(CheckoutRefused, match="is empty"):
        tx.orders.place_from_cart(empty, checkout_of(shop))
    with pytest.raises(CheckoutRefused, match="guest cart"):
        tx.orders.place_from_cart(guest, checkout_of(shop))
    tx.carts.add_item(empty, CartLine(product_variant_id=shop.variants[0]))
    with pytest.raises(CheckoutRefused, match="not a live address"):
        tx.orders.place_from_cart(empty, checkout_of(shop, billing_address_id=stranger.address_id))
    with pytest.raises(NotFoundError, match="cart"):
        tx.orders.place_from_cart(uuid4(), checkout_of(shop))

    assert tx.connection.execute("SELECT count(*) FROM orders").fetchone() == (0,)


def test_a_checked_out_cart_cannot_be_placed_again_under_a_new_key(
    tx: Transaction, shop: Shop
) -> None:
    cart_id = fill_cart(tx, shop)
    tx.orders.place_from_cart(cart_id, checkout_of(shop))

    with pytest.raises(CartNotActive, match="CHECKED_OUT"):
        tx.orders.place_from_cart(cart_id, checkout_of(shop))


def test_a_coupon_gives_its_discount_and_counts_one_use(tx: Transaction, shop: Shop) -> None:
    insert_coupon(tx.connection, "TENOFF")
    cart_id = fill_cart(tx, shop, (1, 0))

    order = tx.orders.place_from_cart(cart_id, checkout_of(shop, coupon_code="tenoff")).order

    assert order.discount_amount == Decimal("1.99")
    assert order.total_amount == PRICES[0] - Decimal("1.99")
    used = tx.connection.execute("SELECT usage_count FROM coupons WHERE code = 'TENOFF'")
    assert used.fetchone() == (1,)


def test_an_unavailable_coupon_refuses_the_checkout_and_leaves_nothing(
    tx: Transaction, shop: Shop
) -> None:
    insert_coupon(tx.connection, "BIGSPEND", min_order_amount=Decimal("1000"))
    cart_id = fill_cart(tx, shop)

    with pytest.raises(CouponUnavailable):
        tx.orders.place_from_cart(cart_id, checkout_of(shop, coupon_code="BIGSPEND"))

    assert tx.carts.get(cart_id).status is CartStatus.ACTIVE
    assert stock_of(tx.connection, shop.variants[0]) == (10, 0)


# --- reads --------------------------------------------------------------------------------------


def test_get_reads_an_order_with_its_items_in_two_queries(
    shared_db: Database, tx: Transaction, shop: Shop
) -> None:
    placed = tx.orders.place_from_cart(fill_cart(tx, shop), checkout_of(shop))

    with shared_db.capture_queries() as ran:
        read = tx.orders.get(placed.order.id)

    assert read == placed
    assert [r.name for r in ran] == ["orders.get", "orders.list_items"]
    assert tx.orders.get_by_reference(placed.order.reference.lower()) == placed.order
    with pytest.raises(NotFoundError):
        tx.orders.get(uuid4())


def test_a_users_orders_page_newest_first_and_filter_by_status(tx: Transaction, shop: Shop) -> None:
    placed = [
        tx.orders.place_from_cart(fill_cart(tx, shop, (1, 0)), checkout_of(shop)) for _ in range(3)
    ]
    first = placed[0].order
    tx.orders.change_status(first.id, OrderStatus.PAID, first.version)

    page = tx.orders.list_for_user(shop.user_id, limit=2)
    rest = tx.orders.list_for_user(shop.user_id, limit=2, cursor=page.next_cursor)
    paid = tx.orders.list_for_user(shop.user_id, status=OrderStatus.PAID)
    pending = tx.orders.list_by_status(OrderStatus.PENDING)

    expected = sorted((p.order for p in placed), key=lambda o: (o.created_at, o.id), reverse=True)
    assert [o.id for o in [*page.items, *rest.items]] == [o.id for o in expected]
    assert rest.next_cursor is None
    assert [o.id for o in paid.items] == [first.id]
    assert {o.id for o in pending.items} == {p.order.id for p in placed[1:]}
    items = tx.orders.items_of([p.order.id for p in placed])
    assert all(len(found) == 1 for found in items.values())


def test_statistics_count_and_sum_by_status_and_by_day(tx: Transaction, shop: Shop) -> None:
    orders = [
        tx.orders.place_from_cart(fill_cart(tx, shop, (1, 0)), checkout_of(shop)).order
        for _ in range(3)
    ]
    tx.orders.change_status(orders[0].id, OrderStatus.CANCELLED, orders[0].version)
    now = datetime.now(UTC)
    window = (now - timedelta(days=1), now + timedelta(days=1))

    by_status = {f.status: (f.orders, f.revenue) for f in tx.orders.statistics_by_status(*window)}
    by_day = tx.orders.statistics_by_day(*window)

    assert by_status == {
        OrderStatus.PENDING: (2, 2 * PRICES[0]),
        OrderStatus.CANCELLED: (1, PRICES[0]),
    }
    assert [(d.orders, d.revenue) for d in by_day] == [(2, 2 * PRICES[0])]
    assert tx.orders.statistics_by_status(now + timedelta(days=2), now + timedelta(days=3)) == []


# --- races ------------------------------------------------------------------------------------


def test_racing_checkouts_with_one_key_place_exactly_one_order(
    db: Database, postgresql: psycopg.Connection[Any]
) -> None:
    postgresql.autocommit = True
    shop = new_shop(db, postgresql)
    cart_id = fill_cart(db, shop)
    checkout = checkout_of(shop)
    start = threading.Barrier(4)

    def place(_: int) -> UUID:
        start.wait(timeout=10)
        return db.orders.place_from_cart(cart_id, checkout).order.id

    with ThreadPoolExecutor(4) as pool:
        ids = set(pool.map(place, range(4)))

    assert len(ids) == 1
    assert postgresql.execute("SELECT count(*) FROM orders").fetchone() == (1,)
    assert stock_of(postgresql, shop.variants[0]) == (10, 2)


def test_racing_checkouts_never_oversell_the_last_units(
    db: Database, postgresql: psycopg.Connection[Any]
) -> None:
    postgresql.autocommit = True
    shop = new_shop(db, postgresql, stock=5)
    buyers = [new_buyer(db, postgresql, shop) for _ in range(8)]
    carts = [(buyer, fill_cart(db, buyer, (1, 0))) for buyer in buyers]
    start = threading.Barrier(8)

    def place(bought: tuple[Shop, UUID]) -> str:
        buyer, cart_id = bought
        start.wait(timeout=10)
        try:
            db.orders.place_from_cart(cart_id, checkout_of(buyer))
        except OutOfStockError:
            return "out of stock"
        return "placed"

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(place, carts))

    assert sorted(outcomes) == ["out of stock"] * 3 + ["placed"] * 5
    assert stock_of(postgresql, shop.variants[0]) == (5, 5)


def test_a_coupon_limited_to_ten_uses_discounts_exactly_ten_of_many_racing_checkouts(
    db: Database, postgresql: psycopg.Connection[Any]
) -> None:
    postgresql.autocommit = True
    shop = new_shop(db, postgresql, stock=1000)
    insert_coupon(postgresql, "TENTIMES", usage_limit=10)
    buyers = [new_buyer(db, postgresql, shop) for _ in range(100)]
    carts = [(buyer, fill_cart(db, buyer, (1, 0))) for buyer in buyers]

    def place(bought: tuple[Shop, UUID]) -> str:
        buyer, cart_id = bought
        try:
            db.orders.place_from_cart(cart_id, checkout_of(buyer, coupon_code="TENTIMES"))
        except CouponUnavailable:
            return "refused"
        return "discounted"

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(place, carts))

    assert outcomes.count("discounted") == 10
    used = postgresql.execute("SELECT usage_count FROM coupons WHERE code = 'TENTIMES'")
    assert used.fetchone() == (10,)
    discounted = postgresql.execute("SELECT count(*) FROM orders WHERE discount_amount > 0")
    assert discounted.fetchone() == (10,)


# --- the money property ------------------------------------------------------------------------

coupons = st.one_of(
    st.none(),
    st.tuples(st.just("PERCENTAGE"), st.decimals(min_value=0, max_value=100, places=2)),
    st.tuples(st.just("FIXED_AMOUNT"), st.decimals(min_value=0, max_value=500, places=2)),
    st.tuples(st.just("FREE_SHIPPING"), st.just(Decimal("0"))),
)


@hypothesis_settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    quantities=st.tuples(st.integers(0, 9), st.integers(0, 9)).filter(lambda q: sum(q) > 0),
    coupon=coupons,
    tax_rate=st.decimals(min_value=0, max_value=Decimal("0.3"), places=4),
)
def test_any_cart_and_coupon_give_amounts_that_add_up(
    tx: Transaction,
    shop: Shop,
    quantities: tuple[int, int],
    coupon: tuple[str, Decimal] | None,
    tax_rate: Decimal,
) -> None:
    with contextlib.suppress(_Undo), tx.savepoint():
        code = None
        if coupon is not None:
            code = f"P{uuid4().hex[:10].upper()}"
            insert_coupon(tx.connection, code, type=coupon[0], value=coupon[1])
        cart_id = fill_cart(tx, shop, quantities)

        placed = tx.orders.place_from_cart(
            cart_id, checkout_of(shop, coupon_code=code, tax_rate=tax_rate)
        )

        order = placed.order
        amounts = (
            order.subtotal_amount,
            order.discount_amount,
            order.tax_amount,
            order.total_amount,
        )
        assert all(amount >= 0 for amount in amounts)
        assert (
            order.total_amount == order.subtotal_amount - order.discount_amount + order.tax_amount
        )
        assert order.subtotal_amount == sum(i.unit_price * i.quantity for i in placed.items)
        assert order.discount_amount <= order.subtotal_amount
        assert all(amount == amount.quantize(Decimal("0.01")) for amount in amounts)
        raise _Undo


class _Undo(Exception):
    """Ends a property example: its savepoint undoes what it wrote."""
