"""The money rules of migration 0016 (seed 003 section 9.3), each refused by a violating write:
a payment matches its order, an order's subtotal is the sum of its items (at COMMIT), refunds
never exceed what was settled (also when refunds race). The payments repository maps the
refund rule to its domain error, RefundExceedsSettled."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any
from uuid import UUID

import psycopg
import pytest

from shopdb import Database, IsolationLevel, Transaction
from shopdb.core.errors import ConstraintViolation
from shopdb.errors import IllegalPaymentTransition, RefundExceedsSettled
from tests.schema.rows import Rows
from tests.schema.support import refused

D = Decimal


def check_deferred(conn: psycopg.Connection[Any]) -> None:
    """Run the checks deferred to COMMIT now (the test's transaction is rolled back)."""
    conn.execute("SET CONSTRAINTS ALL IMMEDIATE")


def order_of(rows: Rows, *prices: tuple[int, str]) -> UUID:
    """An order whose subtotal is the sum of its items (quantity, unit price) and no tax."""
    subtotal = sum((q * D(p) for q, p in prices), D(0))
    order: UUID = rows.id(
        "orders", subtotal_amount=subtotal, tax_amount=0, discount_amount=0, total_amount=subtotal
    )
    for quantity, price in prices:
        rows.insert("order_items", order_id=order, quantity=quantity, unit_price=D(price))
    return order


# --- a payment matches its order --------------------------------------------------------------


def test_a_payment_of_the_order_total_in_its_currency_is_accepted(rows: Rows) -> None:
    order = rows.insert("orders")

    payment = rows.insert("payments", order_id=order["id"], amount=order["total_amount"])

    assert payment["amount"] == order["total_amount"] == D("108.00")


@pytest.mark.parametrize("values", [{"amount": D("107.99")}, {"currency": "EUR"}])
def test_a_payment_that_differs_from_its_order_is_refused(
    conn: psycopg.Connection[Any], rows: Rows, values: dict[str, Any]
) -> None:
    order = rows.id("orders")
    paid = {"paid_price": values.get("amount", D("108"))}  # settled for its own amount (0040)
    payment = rows.values("payments", order_id=order, **paid, **values)

    error = refused(conn, lambda: rows.insert_values("payments", payment))

    assert isinstance(error, ConstraintViolation)
    assert error.constraint == "payments_amount_matches_order_check"
    assert error.sqlstate == "23514"


def test_changing_a_payments_amount_away_from_the_order_is_refused(
    conn: psycopg.Connection[Any], rows: Rows
) -> None:
    payment = rows.id("payments")

    error = refused(
        conn,
        lambda: conn.execute(
            "UPDATE payments SET amount = 1, paid_price = 1 WHERE id = %s", [payment]
        ),
    )

    assert isinstance(error, ConstraintViolation)
    assert error.constraint == "payments_amount_matches_order_check"


def test_an_orders_total_cannot_move_away_from_its_live_payment(
    conn: psycopg.Connection[Any], rows: Rows
) -> None:
    order = rows.id("orders")
    rows.insert("payments", order_id=order, status="AUTHORIZED")
    raise_tax = "UPDATE orders SET tax_amount = 28, total_amount = 118 WHERE id = %s"

    error = refused(conn, lambda: conn.execute(raise_tax, [order]))

    assert isinstance(error, ConstraintViolation)
    assert error.constraint == "orders_total_matches_payments_check"


def test_an_orders_total_may_move_when_its_payments_failed(
    conn: psycopg.Connection[Any], rows: Rows
) -> None:
    order = rows.id("orders")
    rows.insert("payments", order_id=order, status="FAILED")

    conn.execute("UPDATE orders SET tax_amount = 28, total_amount = 118 WHERE id = %s", [order])

    assert conn.execute("SELECT total_amount FROM orders WHERE id = %s", [order]).fetchone() == (
        D("118.00"),
    )


# --- an order's subtotal is the sum of its items ----------------------------------------------


def test_an_order_whose_items_add_up_to_its_subtotal_passes_the_deferred_check(
    conn: psycopg.Connection[Any], rows: Rows
) -> None:
    order_of(rows, (2, "19.99"), (1, "0.02"), (3, "100.00"))

    check_deferred(conn)  # raises if the rule does not hold


def test_the_items_may_be_written_after_the_order_in_the_same_transaction(
    conn: psycopg.Connection[Any], rows: Rows
) -> None:
    order = rows.id("orders", subtotal_amount=200, tax_amount=0, discount_amount=0,
                    total_amount=200)  # fmt: skip
    rows.insert("order_items", order_id=order, quantity=1, unit_price=150)  # 150 of 200 so far
    rows.insert("order_items", order_id=order, quantity=1, unit_price=50)

    check_deferred(conn)


@pytest.mark.parametrize(
    "change",
    [
        "UPDATE order_items SET quantity = quantity + 1 WHERE order_id = %(order)s",
        "UPDATE order_items SET unit_price = unit_price - 0.01 WHERE order_id = %(order)s",
        "DELETE FROM order_items WHERE order_id = %(order)s",
        "UPDATE orders SET subtotal_amount = subtotal_amount + 1,"
        " total_amount = total_amount + 1 WHERE id = %(order)s",
    ],
)
def test_a_subtotal_that_no_longer_matches_its_items_is_refused_at_commit(
    conn: psycopg.Connection[Any], rows: Rows, change: str
) -> None:
    order = order_of(rows, (1, "10.00"))
    conn.execute(change, {"order": order})  # accepted for now: the check waits for COMMIT

    error = refused(conn, lambda: check_deferred(conn))

    assert isinstance(error, ConstraintViolation)
    assert error.constraint == "orders_subtotal_matches_items_check"
    assert error.table == "orders"


def test_moving_an_item_to_another_order_checks_both_orders(
    conn: psycopg.Connection[Any], rows: Rows
) -> None:
    first, second = order_of(rows, (1, "10.00")), order_of(rows, (1, "10.00"))
    move = "UPDATE order_items SET order_id = %s WHERE order_id = %s"
    conn.execute(move, [second, first])

    error = refused(conn, lambda: check_deferred(conn))

    assert isinstance(error, ConstraintViolation)
    assert error.constraint == "orders_subtotal_matches_items_check"


def test_deleting_an_order_with_its_items_leaves_nothing_to_check(
    conn: psycopg.Connection[Any], rows: Rows
) -> None:
    order = order_of(rows, (1, "10.00"))

    conn.execute("DELETE FROM orders WHERE id = %s", [order])
    check_deferred(conn)


def test_through_shopdb_the_subtotal_rule_refuses_the_commit_and_nothing_is_stored(
    db: Database,
) -> None:
    with pytest.raises(ConstraintViolation) as caught, db.transaction() as tx:
        order = Rows(tx.connection).id("orders")  # subtotal 100, no item

    assert caught.value.constraint == "orders_subtotal_matches_items_check"
    with db.transaction() as tx:
        found = tx.connection.execute("SELECT count(*) FROM orders WHERE id = %s", [order])
        assert found.fetchone() == (0,)


# --- refunds never exceed what was settled ----------------------------------------------------


@pytest.mark.parametrize("status", ["INITIATED", "AUTHORIZED", "FAILED"])
def test_a_payment_not_settled_cannot_be_refunded(
    conn: psycopg.Connection[Any], rows: Rows, status: str
) -> None:
    payment = rows.id("payments", status=status)
    refund = rows.values("payment_refunds", payment_id=payment, amount=1)

    error = refused(conn, lambda: rows.insert_values("payment_refunds", refund))

    assert isinstance(error, RefundExceedsSettled)
    assert error.constraint == "payment_refunds_within_settled_amount_check"


def test_refunds_may_add_up_to_the_settled_amount_and_not_one_cent_more(
    conn: psycopg.Connection[Any], rows: Rows
) -> None:
    payment = rows.id("payments")  # 108.00, SETTLED
    rows.insert("payment_refunds", payment_id=payment, amount=D("100.00"))
    rows.insert("payment_refunds", payment_id=payment, amount=D("8.00"))
    extra = rows.values("payment_refunds", payment_id=payment, amount=D("0.01"))

    error = refused(conn, lambda: rows.insert_values("payment_refunds", extra))

    assert isinstance(error, RefundExceedsSettled)
    assert error.constraint == "payment_refunds_within_settled_amount_check"


def test_a_failed_refund_counts_for_nothing_until_it_stops_being_failed(
    conn: psycopg.Connection[Any], rows: Rows
) -> None:
    payment = rows.id("payments")
    rows.insert("payment_refunds", payment_id=payment, amount=D("108.00"))
    failed = rows.id("payment_refunds", payment_id=payment, amount=D("50.00"), status="FAILED")
    revive = "UPDATE payment_refunds SET status = 'SUCCEEDED' WHERE id = %s"

    error = refused(conn, lambda: conn.execute(revive, [failed]))

    assert isinstance(error, RefundExceedsSettled)
    assert error.constraint == "payment_refunds_within_settled_amount_check"


def test_a_fully_refunded_payment_keeps_its_refunds_within_its_amount(
    conn: psycopg.Connection[Any], rows: Rows
) -> None:
    payment = rows.id("payments", status="REFUNDED")
    rows.insert("payment_refunds", payment_id=payment, amount=D("108.00"))
    extra = rows.values("payment_refunds", payment_id=payment, amount=D("1.00"))

    assert isinstance(refused(conn, lambda: rows.insert_values("payment_refunds", extra)),
                      RefundExceedsSettled)  # fmt: skip


@pytest.mark.parametrize(
    "isolation", [IsolationLevel.READ_COMMITTED, IsolationLevel.REPEATABLE_READ]
)
def test_concurrent_refunds_never_exceed_the_settled_amount(
    db: Database, isolation: IsolationLevel
) -> None:
    with db.transaction() as tx:
        rows = Rows(tx.connection)
        order = rows.id("orders", subtotal_amount=0, tax_amount=108, discount_amount=0)
        payment = rows.id("payments", order_id=order)  # 108.00, SETTLED
    racers = 4  # 40.00 each: two fit in 108.00, a third would not
    barrier = threading.Barrier(racers, timeout=10)

    def refund(n: int) -> str:
        def insert(tx: Transaction) -> None:
            tx.payments.refund(payment, Decimal("40"), refund_id=f"race-{n}")

        barrier.wait()
        try:
            db.run_in_transaction(insert, isolation=isolation)
        except RefundExceedsSettled as exc:
            return f"refused:{exc.constraint}"
        return "refunded"

    with ThreadPoolExecutor(max_workers=racers) as pool:
        outcomes = sorted(pool.map(refund, range(racers)))

    assert (
        outcomes == ["refunded"] * 2 + ["refused:payment_refunds_within_settled_amount_check"] * 2
    )
    with db.transaction() as tx:
        total = tx.connection.execute(
            "SELECT sum(amount) FROM payment_refunds WHERE payment_id = %s", [payment]
        ).fetchone()
    assert total == (D("80.00"),)


@pytest.mark.parametrize(
    ("start", "refused_status"),
    [("SETTLED", "INITIATED"), ("SETTLED", "AUTHORIZED"), ("FAILED", "SETTLED")],
)
def test_a_payment_status_change_off_the_machine_is_refused_in_plain_sql(
    conn: psycopg.Connection[Any], rows: Rows, start: str, refused_status: str
) -> None:
    payment = rows.id("payments", status=start)

    error = refused(
        conn,
        lambda: conn.execute(
            "UPDATE payments SET status = %s WHERE id = %s", [refused_status, payment]
        ),
    )

    assert isinstance(error, IllegalPaymentTransition)
    assert (error.constraint, error.sqlstate) == ("payments_status_transition_check", "23514")
    kept = conn.execute("SELECT status FROM payments WHERE id = %s", [payment]).fetchone()
    assert kept == (start,)
