"""The ownership links the schema holds (0030-0032), also against hand-written SQL: an order's
shipping and billing address and its cart belong to the order's user, and a payment's user is
its order's user. Deleting an address or a cart clears only the order's pointer; deleting a
user still keeps its orders and payments (user_id NULL)."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from psycopg import sql

from shopdb.core.errors import ConstraintViolation
from tests.schema.rows import Rows
from tests.schema.support import refused

OWNER_KEYS = {
    "orders_shipping_address_id_user_id_fkey": ("shipping_address_id", "addresses"),
    "orders_billing_address_id_user_id_fkey": ("billing_address_id", "addresses"),
    "orders_cart_id_user_id_fkey": ("cart_id", "carts"),
}


def one(conn: psycopg.Connection[Any], query: str, *params: Any) -> Any:
    found = conn.execute(query, list(params)).fetchone()
    assert found is not None
    return found[0] if len(found) == 1 else found


@pytest.mark.parametrize("fkey", list(OWNER_KEYS))
def test_an_order_pointing_at_another_users_row_is_refused(
    conn: psycopg.Connection[Any], rows: Rows, fkey: str
) -> None:
    column, table = OWNER_KEYS[fkey]
    someone_elses = rows.id(table)  # made for a user of its own
    buyer = rows.id("users")

    error = refused(conn, lambda: rows.insert("orders", user_id=buyer, **{column: someone_elses}))

    assert isinstance(error, ConstraintViolation)
    assert error.constraint == fkey


@pytest.mark.parametrize("fkey", list(OWNER_KEYS))
def test_an_order_cannot_be_moved_to_another_users_row(
    conn: psycopg.Connection[Any], rows: Rows, fkey: str
) -> None:
    column, table = OWNER_KEYS[fkey]
    order = rows.insert("orders")
    someone_elses = rows.id(table)
    move = sql.SQL("UPDATE orders SET {} = %s WHERE id = %s").format(sql.Identifier(column))

    error = refused(conn, lambda: conn.execute(move, [someone_elses, order["id"]]))

    assert isinstance(error, ConstraintViolation)
    assert error.constraint == fkey


def test_a_payment_whose_user_is_not_its_orders_is_refused(
    conn: psycopg.Connection[Any], rows: Rows
) -> None:
    order = rows.insert("orders")
    stranger = rows.id("users")

    error = refused(conn, lambda: rows.insert("payments", order_id=order["id"], user_id=stranger))

    assert isinstance(error, ConstraintViolation)
    assert error.constraint == "payments_order_id_user_id_fkey"
    assert rows.insert("payments", order_id=order["id"])["user_id"] == order["user_id"]


def test_deleting_an_address_or_a_cart_clears_only_the_orders_pointer(
    conn: psycopg.Connection[Any], rows: Rows
) -> None:
    order = rows.insert("orders")
    conn.execute("DELETE FROM addresses WHERE id = %s", [order["shipping_address_id"]])
    conn.execute("DELETE FROM carts WHERE id = %s", [order["cart_id"]])

    kept = one(
        conn,
        "SELECT user_id, cart_id, shipping_address_id, billing_address_id "
        "FROM orders WHERE id = %s",
        order["id"],
    )
    assert kept == (order["user_id"], None, None, order["billing_address_id"])


def test_deleting_a_user_keeps_their_orders_and_payments_without_a_user(
    conn: psycopg.Connection[Any], rows: Rows
) -> None:
    payment = rows.insert("payments", status="INITIATED", transaction_id=None)
    order = one(conn, "SELECT id, cart_id FROM orders WHERE id = %s", payment["order_id"])

    conn.execute("DELETE FROM users WHERE id = %s", [payment["user_id"]])

    assert one(conn, "SELECT user_id, cart_id FROM orders WHERE id = %s", order[0]) == (
        None,
        order[1],
    )
    assert one(conn, "SELECT user_id FROM payments WHERE id = %s", payment["id"]) is None
