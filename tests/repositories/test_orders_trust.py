"""Issue 23 ("Trust"), points 3 and 4: checkout at today's prices of products on sale, cart
lines capped, stock accounted per order (whatever the inventory policy), unpaid orders
expired. The attacks of the issue are refused here with a typed error and leave nothing."""

from __future__ import annotations

import contextlib
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import psycopg
import pytest
from click.testing import CliRunner

from shopdb import Database, Transaction
from shopdb.cli import main
from shopdb.errors import (
    CartLineQuantityExceeded,
    IllegalStatusTransition,
    OutOfStockError,
    PricesChanged,
    ProductUnavailable,
)
from shopdb.models import OrderStatus
from tests.repositories.fixture_orders import (
    PRICES,
    Shop,
    checkout_of,
    fill_cart,
    new_buyer,
    new_shop,
    stock_of,
)

D = Decimal


@pytest.fixture
def shop(tx: Transaction) -> Shop:
    return new_shop(tx, tx.connection)


def product_of(conn: psycopg.Connection[Any], variant: UUID) -> UUID:
    row = conn.execute(
        "SELECT product_id FROM product_variants WHERE id = %s", [variant]
    ).fetchone()
    assert row is not None
    return UUID(str(row[0]))


def orders_of(conn: psycopg.Connection[Any], shop: Shop) -> int:
    row = conn.execute("SELECT count(*) FROM orders WHERE user_id = %s", [shop.user_id]).fetchone()
    assert row is not None
    return int(row[0])


def reserved_by_orders(conn: psycopg.Connection[Any], variant: UUID) -> int:
    row = conn.execute(
        """SELECT coalesce(sum(quantity), 0) FROM stock_reservations
            WHERE product_variant_id = %s AND state = 'RESERVED'""",
        [variant],
    ).fetchone()
    assert row is not None
    return int(row[0])


# --- point 3: checkout charges what the shop sells now ----------------------------------------


def test_a_changed_price_refuses_the_checkout_reprices_the_cart_and_the_next_try_succeeds(
    tx: Transaction, shop: Shop
) -> None:
    cart_id = fill_cart(tx, shop)
    conn = tx.connection
    conn.execute("UPDATE product_variants SET price = 500 WHERE id = %s", [shop.variants[0]])

    with pytest.raises(PricesChanged) as refused:
        tx.orders.place_from_cart(cart_id, checkout_of(shop))

    [change] = refused.value.lines
    assert (change.product_variant_id, change.old_price, change.new_price) == (
        shop.variants[0], PRICES[0], D("500.00"),
    )  # fmt: skip
    assert orders_of(conn, shop) == 0 and stock_of(conn, shop.variants[0]) == (10, 0)
    lines = {i.product_variant_id: i.unit_price for i in tx.carts.get_with_items(cart_id).items}
    assert lines == {shop.variants[0]: D("500.00"), shop.variants[1]: PRICES[1]}

    placed = tx.orders.place_from_cart(cart_id, checkout_of(shop))
    assert placed.order.subtotal_amount == 2 * D("500.00") + PRICES[1]


@pytest.mark.parametrize(
    "withdraw",
    [
        "UPDATE products SET status = 'ARCHIVED', price = 500 WHERE id = %s",
        "UPDATE products SET deleted_at = now() WHERE id = %s",
        "UPDATE products SET status = 'DRAFT' WHERE id = %s",
    ],
)
def test_a_product_no_longer_on_sale_is_refused_and_nothing_is_written(
    tx: Transaction, shop: Shop, withdraw: str
) -> None:
    cart_id = fill_cart(tx, shop)
    conn = tx.connection
    conn.execute(withdraw, [product_of(conn, shop.variants[0])])
    before = tx.carts.get_with_items(cart_id)

    with pytest.raises(ProductUnavailable) as refused:
        tx.orders.place_from_cart(cart_id, checkout_of(shop))

    assert set(refused.value.lines) == set(shop.variants)  # both variants of the product
    assert orders_of(conn, shop) == 0 and stock_of(conn, shop.variants[0]) == (10, 0)
    assert tx.carts.get_with_items(cart_id) == before


def test_adding_past_the_cap_of_a_line_is_a_typed_error(tx: Transaction, shop: Shop) -> None:
    cart = tx.carts.get_or_create_active(user_id=shop.user_id)
    tx.carts.add_item(cart.id, shop.variants[0], 600)

    with pytest.raises(CartLineQuantityExceeded) as refused, tx.savepoint():
        tx.carts.add_item(cart.id, shop.variants[0], 401)

    assert refused.value.constraint == "cart_items_quantity_max_check"
    assert tx.carts.totals(cart.id).item_count == 600


def test_racing_adds_to_one_line_never_pass_the_cap(
    db: Database, postgresql: psycopg.Connection[Any]
) -> None:
    postgresql.autocommit = True
    shop = new_shop(db, postgresql)
    cart = db.carts.get_or_create_active(user_id=shop.user_id)
    start = threading.Barrier(6)

    def add(_: int) -> str:
        start.wait(timeout=10)
        try:
            db.carts.add_item(cart.id, shop.variants[0], 300)
        except CartLineQuantityExceeded:
            return "refused"
        return "added"

    with ThreadPoolExecutor(6) as pool:
        outcomes = sorted(pool.map(add, range(6)))

    assert outcomes == ["added"] * 3 + ["refused"] * 3  # 900 fit, a fourth 300 would not
    assert db.carts.totals(cart.id).item_count == 900


def test_a_line_past_the_cap_is_refused_in_plain_sql_too(tx: Transaction, shop: Shop) -> None:
    cart = tx.carts.get_or_create_active(user_id=shop.user_id)
    tx.carts.add_item(cart.id, shop.variants[0], 1)

    with pytest.raises(psycopg.errors.CheckViolation), tx.connection.transaction():
        tx.connection.execute("UPDATE cart_items SET quantity = 1001 WHERE cart_id = %s", [cart.id])


# --- point 4: stock accounting per order ------------------------------------------------------


def test_with_continue_cancelling_one_order_never_releases_anothers_units(
    tx: Transaction, shop: Shop
) -> None:
    # The attack of issue 23: on_hand 3 after all 5 units of the first order shipped.
    conn = tx.connection
    conn.execute("UPDATE inventory SET quantity_on_hand = 5 WHERE product_variant_id = %s",
                 [shop.variants[0]])  # fmt: skip
    conn.execute("UPDATE products SET inventory_policy = 'CONTINUE' WHERE id = %s",
                 [product_of(conn, shop.variants[0])])  # fmt: skip
    first = tx.orders.place_from_cart(fill_cart(tx, shop, (5, 0)), checkout_of(shop)).order
    other = new_buyer(tx, conn, shop)
    second = tx.orders.place_from_cart(fill_cart(tx, other, (3, 0)), checkout_of(other)).order
    assert stock_of(conn, shop.variants[0]) == (5, 5)  # the second found nothing to reserve

    tx.orders.change_status(second.id, OrderStatus.CANCELLED, second.version)
    assert stock_of(conn, shop.variants[0]) == (5, 5)
    paid = tx.orders.mark_paid(first.id)
    tx.orders.change_status(first.id, OrderStatus.FULFILLED, paid.version)

    assert stock_of(conn, shop.variants[0]) == (0, 0)


def test_an_order_state_change_outside_the_machine_is_refused_in_plain_sql(
    tx: Transaction, shop: Shop
) -> None:
    order = tx.orders.place_from_cart(fill_cart(tx, shop), checkout_of(shop)).order

    refusal = pytest.raises(psycopg.errors.CheckViolation, match="PENDING -> DELIVERED")
    with refusal, tx.connection.transaction():
        tx.connection.execute("UPDATE orders SET status = 'DELIVERED' WHERE id = %s", [order.id])
    with pytest.raises(IllegalStatusTransition):
        tx.orders.change_status(order.id, OrderStatus.SHIPPED, order.version)


def test_the_reserved_counter_is_the_sum_of_live_reservations_on_a_random_walk(
    tx: Transaction, shop: Shop
) -> None:
    conn = tx.connection
    product = product_of(conn, shop.variants[0])
    walk = random.Random(23)
    live: list[Any] = []
    buyers = [shop, *(new_buyer(tx, conn, shop) for _ in range(3))]
    for _ in range(60):
        step = walk.choice(["order", "order", "cancel", "fulfil", "policy", "restock"])
        if step == "order":
            buyer = walk.choice(buyers)
            wanted = (walk.randint(0, 4), walk.randint(1, 4))
            # Out of stock under TRACK or DENY: the cart stays active, emptied below.
            with contextlib.suppress(OutOfStockError):
                cart_id = fill_cart(tx, buyer, wanted)
                live.append(tx.orders.place_from_cart(cart_id, checkout_of(buyer)).order)
            cart = tx.carts.get_or_create_active(user_id=buyer.user_id)
            for item in tx.carts.get_with_items(cart.id).items:
                tx.carts.remove_item(cart.id, item.product_variant_id)
        elif step in ("cancel", "fulfil") and live:
            order = live.pop(walk.randrange(len(live)))
            if step == "cancel":
                tx.orders.change_status(order.id, OrderStatus.CANCELLED, order.version)
            else:
                paid = tx.orders.mark_paid(order.id)
                tx.orders.change_status(order.id, OrderStatus.FULFILLED, paid.version)
        elif step == "policy":
            policy = walk.choice(["TRACK", "CONTINUE", "DENY"])
            conn.execute("UPDATE products SET inventory_policy = %s WHERE id = %s",
                         [policy, product])  # fmt: skip
        elif step == "restock":
            tx.inventory.restock(walk.choice(shop.variants), walk.randint(1, 5))
        for variant in shop.variants:
            on_hand, reserved = stock_of(conn, variant)
            assert reserved == reserved_by_orders(conn, variant) <= on_hand, step


def test_expire_unpaid_cancels_old_pending_orders_and_releases_their_stock(
    db: Database, postgresql: psycopg.Connection[Any]
) -> None:
    postgresql.autocommit = True
    shop = new_shop(db, postgresql)
    old = db.orders.place_from_cart(fill_cart(db, shop, (3, 0)), checkout_of(shop)).order
    postgresql.execute(
        "UPDATE orders SET created_at = now() - interval '2 hours' WHERE id = %s", [old.id]
    )
    other = new_buyer(db, postgresql, shop)
    fresh = db.orders.place_from_cart(fill_cart(db, other, (2, 0)), checkout_of(other)).order

    assert db.orders.expire_unpaid(timedelta(minutes=30), batch_size=1) == 1

    assert db.orders.get(old.id).order.status is OrderStatus.CANCELLED
    assert db.orders.get(fresh.id).order.status is OrderStatus.PENDING
    assert stock_of(postgresql, shop.variants[0]) == (10, 2)


def test_the_expire_orders_command_runs_expire_unpaid(
    db: Database, postgresql: psycopg.Connection[Any], db_url: str
) -> None:
    postgresql.autocommit = True
    shop = new_shop(db, postgresql)
    old = db.orders.place_from_cart(fill_cart(db, shop, (1, 0)), checkout_of(shop)).order
    postgresql.execute(
        "UPDATE orders SET created_at = now() - interval '1 hour' WHERE id = %s", [old.id]
    )

    result = CliRunner().invoke(
        main, ["--database-url", db_url, "expire-orders", "--older-than", "30m"]
    )

    assert result.exit_code == 0, result.output
    assert "expired 1 unpaid order" in result.output
    assert stock_of(postgresql, shop.variants[0]) == (10, 0)


@pytest.mark.parametrize("closing", [OrderStatus.CANCELLED, OrderStatus.FULFILLED])
def test_an_order_placed_before_reservations_were_recorded_moves_its_items_quantities(
    tx: Transaction, shop: Shop, closing: OrderStatus
) -> None:
    # An order of a database migrated before 0042 has no stock_reservations rows.
    conn = tx.connection
    before = [stock_of(conn, variant) for variant in shop.variants]
    order = tx.orders.place_from_cart(fill_cart(tx, shop, (2, 1)), checkout_of(shop)).order
    conn.execute("DELETE FROM stock_reservations WHERE order_id = %s", [order.id])
    if closing is OrderStatus.FULFILLED:
        order = tx.orders.mark_paid(order.id)

    tx.orders.change_status(order.id, closing, order.version)

    sold = (2, 1) if closing is OrderStatus.FULFILLED else (0, 0)
    assert [stock_of(conn, variant) for variant in shop.variants] == [
        (on_hand - units, reserved) for (on_hand, reserved), units in zip(before, sold, strict=True)
    ]
