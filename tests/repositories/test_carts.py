"""CartRepository against a real PostgreSQL: owners, lines, totals, merging and housekeeping."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest

from shopdb import Database, Transaction
from shopdb.errors import CartNotActive, ConstraintViolation, InvalidInput, NotFoundError
from shopdb.models import CartLine, CartStatus, NewUser

HASH = "$2b$12$" + "c" * 53


def _user(tx: Transaction | Database, n: int = 0) -> UUID:
    return tx.users.create(
        NewUser(email=f"cart{n}-{uuid4().hex[:6]}@example.com", password_hash=HASH)
    ).id


def _variants(
    conn: psycopg.Connection[Any], prices: list[str], *, status: str = "ACTIVE"
) -> list[UUID]:
    """A product in ``status`` with one variant per price (the first one primary)."""
    tag = uuid4().hex[:10]
    row = conn.execute(
        "INSERT INTO products (title, slug, price, status) VALUES (%s, %s, %s, %s) RETURNING id",
        [f"Product {tag}", f"product-{tag}", prices[0], status],
    ).fetchone()
    assert row is not None
    ids = []
    for n, price in enumerate(prices):
        variant = conn.execute(
            """INSERT INTO product_variants (product_id, title, sku, price, is_primary)
               VALUES (%s, %s, %s, %s, %s) RETURNING id""",
            [row[0], f"V{n}", f"SKU-{tag}-{n}", price, n == 0],
        ).fetchone()
        assert variant is not None
        ids.append(variant[0])
    return ids


@pytest.fixture
def variants(tx: Transaction) -> list[UUID]:
    return _variants(tx.connection, ["19.90", "5.05", "0.10"])


# --- get_or_create_active ------------------------------------------------------------------


def test_a_user_gets_one_active_cart_created_on_first_use(tx: Transaction) -> None:
    user_id = _user(tx)

    first = tx.carts.get_or_create_active(user_id=user_id)
    again = tx.carts.get_or_create_active(user_id=user_id)

    assert first == again
    assert (first.user_id, first.status, first.expires_at) == (user_id, CartStatus.ACTIVE, None)


def test_a_guest_session_gets_one_cart_that_expires(tx: Transaction) -> None:
    first = tx.carts.get_or_create_active(session_id="guest-1")

    assert tx.carts.get_or_create_active(session_id="guest-1") == first
    assert tx.carts.get_or_create_active(session_id="guest-2") != first
    assert first.user_id is None
    assert first.expires_at is not None and first.expires_at > first.created_at


@pytest.mark.parametrize("owner", [{}, {"user_id": uuid4(), "session_id": "both"}])
def test_exactly_one_owner_must_be_given(tx: Transaction, owner: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput, match="exactly one"):
        tx.carts.get_or_create_active(**owner)


def test_a_cart_for_an_unknown_user_is_refused(tx: Transaction) -> None:
    with pytest.raises(ConstraintViolation, match="carts_user_id_fkey"), tx.savepoint():
        tx.carts.get_or_create_active(user_id=uuid4())


@pytest.mark.parametrize("owner", ["user", "session"])
def test_racing_calls_for_one_owner_create_exactly_one_cart(db: Database, owner: str) -> None:
    user_id = _user(db)
    key = {"user_id": user_id} if owner == "user" else {"session_id": f"race-{uuid4().hex}"}
    start = threading.Barrier(4)

    def call(_: int) -> UUID:
        start.wait(timeout=10)
        return db.carts.get_or_create_active(**key).id

    with ThreadPoolExecutor(4) as pool:
        ids = set(pool.map(call, range(4)))

    assert len(ids) == 1


# --- lines ------------------------------------------------------------------------------------


def test_a_line_takes_the_variants_price_and_adding_again_adds_to_the_quantity(
    tx: Transaction, variants: list[UUID]
) -> None:
    cart = tx.carts.get_or_create_active(session_id="s")

    first = tx.carts.add_item(cart.id, CartLine(product_variant_id=variants[0], quantity=2))
    tx.connection.execute("UPDATE product_variants SET price = 17.50 WHERE id = %s", [variants[0]])
    again = tx.carts.add_item(cart.id, CartLine(product_variant_id=variants[0], quantity=3))

    assert (first.quantity, first.unit_price, first.line_total) == (
        2,
        Decimal("19.90"),
        Decimal("39.80"),
    )
    assert (again.id, again.quantity, again.unit_price) == (first.id, 5, Decimal("17.50"))
    assert again.line_total == Decimal("87.50")


def test_a_variant_of_a_product_not_on_sale_cannot_be_added(tx: Transaction) -> None:
    (draft,) = _variants(tx.connection, ["3.00"], status="DRAFT")
    cart = tx.carts.get_or_create_active(session_id="s")

    with pytest.raises(NotFoundError, match=f"product variant {draft} not found"):
        tx.carts.add_item(cart.id, CartLine(product_variant_id=draft))
    with pytest.raises(NotFoundError, match="product variant"):
        tx.carts.add_item(cart.id, CartLine(product_variant_id=uuid4()))

    assert tx.carts.get_with_items(cart.id).items == []


def test_add_item_takes_a_variant_id_and_quantity_as_well_as_a_line(
    tx: Transaction, variants: list[UUID]
) -> None:
    cart = tx.carts.get_or_create_active(user_id=_user(tx))

    tx.carts.add_item(cart.id, variants[0])
    item = tx.carts.add_item(cart.id, variants[0], 3)

    assert item.quantity == 4
    for wrong in (0, 1001, -1):
        with pytest.raises(InvalidInput, match="CartLine: quantity") as caught:
            tx.carts.add_item(cart.id, variants[1], wrong)
        assert [error["field"] for error in caught.value.errors] == ["quantity"]
    with pytest.raises(InvalidInput, match="not both"):
        tx.carts.add_item(cart.id, CartLine(product_variant_id=variants[1]), 2)
    assert [line.product_variant_id for line in tx.carts.get_with_items(cart.id).items] == [
        variants[0]
    ]


def test_adding_to_a_missing_or_finished_cart_says_which(
    tx: Transaction, variants: list[UUID]
) -> None:
    cart = tx.carts.get_or_create_active(session_id="s")
    tx.connection.execute("UPDATE carts SET status = 'CHECKED_OUT' WHERE id = %s", [cart.id])
    line = CartLine(product_variant_id=variants[0])

    with pytest.raises(CartNotActive, match="CHECKED_OUT"):
        tx.carts.add_item(cart.id, line)
    with pytest.raises(NotFoundError, match="cart"):
        tx.carts.add_item(uuid4(), line)


@pytest.mark.parametrize("quantity", [0, -1, 1001, 2.5, "3"])
def test_a_line_quantity_outside_one_to_a_thousand_is_refused(quantity: object) -> None:
    with pytest.raises(InvalidInput) as caught:
        CartLine.model_validate({"product_variant_id": uuid4(), "quantity": quantity})

    assert [error["field"] for error in caught.value.errors] == ["quantity"]


def test_set_quantity_changes_a_line_and_zero_removes_it(
    tx: Transaction, variants: list[UUID]
) -> None:
    cart = tx.carts.get_or_create_active(session_id="s")
    tx.carts.add_item(cart.id, CartLine(product_variant_id=variants[0]))
    tx.carts.add_item(cart.id, CartLine(product_variant_id=variants[1]))

    tx.carts.set_quantity(cart.id, variants[0], 7)
    tx.carts.set_quantity(cart.id, variants[1], 0)

    items = tx.carts.get_with_items(cart.id).items
    assert [(i.product_variant_id, i.quantity) for i in items] == [(variants[0], 7)]


def test_set_quantity_of_a_missing_line_or_out_of_range_is_refused(
    tx: Transaction, variants: list[UUID]
) -> None:
    cart = tx.carts.get_or_create_active(session_id="s")

    with pytest.raises(NotFoundError, match="cart line"):
        tx.carts.set_quantity(cart.id, variants[0], 2)
    with pytest.raises(NotFoundError, match="cart line"):
        tx.carts.remove_item(cart.id, variants[0])
    for bad in (-1, 1001):
        with pytest.raises(InvalidInput, match="from 0 to 1000"):
            tx.carts.set_quantity(cart.id, variants[0], bad)


def test_changing_a_line_moves_the_carts_updated_at(tx: Transaction, variants: list[UUID]) -> None:
    cart = tx.carts.get_or_create_active(session_id="s")

    tx.carts.add_item(cart.id, CartLine(product_variant_id=variants[0]))

    assert tx.carts.get(cart.id).updated_at > cart.updated_at


# --- reads ------------------------------------------------------------------------------------


def test_get_with_items_reads_any_number_of_lines_in_two_queries(
    shared_db: Database, tx: Transaction, variants: list[UUID]
) -> None:
    cart = tx.carts.get_or_create_active(session_id="s")
    for variant in variants:
        tx.carts.add_item(cart.id, CartLine(product_variant_id=variant))

    with shared_db.capture_queries() as ran:
        read = tx.carts.get_with_items(cart.id)

    assert [r.name for r in ran] == ["carts.get", "carts.list_items"]
    # Lines added in one transaction share created_at; their order then follows their ids.
    assert sorted(i.product_variant_id for i in read.items) == sorted(variants)
    assert [(i.created_at, i.id) for i in read.items] == sorted(
        (i.created_at, i.id) for i in read.items
    )


def test_totals_are_exact_decimals_computed_by_the_database(
    tx: Transaction, variants: list[UUID]
) -> None:
    cart = tx.carts.get_or_create_active(session_id="s")
    for variant, quantity in zip(variants, (3, 1, 7), strict=True):
        tx.carts.add_item(cart.id, CartLine(product_variant_id=variant, quantity=quantity))

    totals = tx.carts.totals(cart.id)

    assert (totals.line_count, totals.item_count) == (3, 11)
    assert totals.subtotal == Decimal("3") * Decimal("19.90") + Decimal("5.05") + 7 * Decimal(
        "0.10"
    )


def test_an_empty_cart_totals_zero_and_a_missing_one_is_not_found(tx: Transaction) -> None:
    cart = tx.carts.get_or_create_active(session_id="s")

    totals = tx.carts.totals(cart.id)

    assert (totals.line_count, totals.item_count, totals.subtotal) == (0, 0, Decimal("0"))
    with pytest.raises(NotFoundError, match="cart"):
        tx.carts.totals(uuid4())
    with pytest.raises(NotFoundError, match="cart"):
        tx.carts.get_with_items(uuid4())


# --- merge on login -----------------------------------------------------------------------------


def test_a_guest_cart_becomes_the_users_when_they_have_none(
    tx: Transaction, variants: list[UUID]
) -> None:
    user_id = _user(tx)
    guest = tx.carts.get_or_create_active(session_id="guest")
    tx.carts.add_item(guest.id, CartLine(product_variant_id=variants[0], quantity=2))

    merged = tx.carts.merge_guest_cart("guest", user_id)

    assert (merged.id, merged.user_id, merged.session_id, merged.expires_at) == (
        guest.id,
        user_id,
        None,
        None,
    )
    assert tx.carts.get_or_create_active(user_id=user_id).id == guest.id


def test_a_guest_cart_is_added_into_the_users_cart_and_removed(
    tx: Transaction, variants: list[UUID]
) -> None:
    user_id = _user(tx)
    mine = tx.carts.get_or_create_active(user_id=user_id)
    tx.carts.add_item(mine.id, CartLine(product_variant_id=variants[0], quantity=1))
    guest = tx.carts.get_or_create_active(session_id="guest")
    tx.carts.add_item(guest.id, CartLine(product_variant_id=variants[0], quantity=2))
    tx.carts.add_item(guest.id, CartLine(product_variant_id=variants[1], quantity=4))

    merged = tx.carts.merge_guest_cart("guest", user_id)

    assert merged.id == mine.id
    lines = {i.product_variant_id: i.quantity for i in tx.carts.get_with_items(mine.id).items}
    assert lines == {variants[0]: 3, variants[1]: 4}
    with pytest.raises(NotFoundError):
        tx.carts.get(guest.id)


def test_merging_without_a_guest_cart_gives_the_users_cart(tx: Transaction) -> None:
    user_id = _user(tx)

    merged = tx.carts.merge_guest_cart("nobody", user_id)

    assert merged == tx.carts.get_or_create_active(user_id=user_id)


# --- housekeeping -------------------------------------------------------------------------------


def _age(tx: Transaction, cart_id: UUID, days: int, *, expires_in_days: int | None = None) -> None:
    """Move a cart into the past (the updated_at trigger is off inside this rolled-back test)."""
    tx.connection.execute("ALTER TABLE carts DISABLE TRIGGER carts_set_updated_at")
    tx.connection.execute(
        """UPDATE carts SET created_at = now() - make_interval(days => %(days)s + 1),
                            updated_at = now() - make_interval(days => %(days)s),
                            expires_at = now() + make_interval(days => %(exp)s)
            WHERE id = %(id)s""",
        {"days": days, "id": cart_id, "exp": expires_in_days},
    )


def test_mark_abandoned_marks_every_idle_cart_in_bounded_batches(tx: Transaction) -> None:
    idle = [tx.carts.get_or_create_active(session_id=f"idle-{n}").id for n in range(5)]
    fresh = tx.carts.get_or_create_active(session_id="fresh").id
    for cart_id in idle:
        _age(tx, cart_id, days=3)

    marked = tx.carts.mark_abandoned(timedelta(days=2), batch_size=2)

    assert marked == 5
    assert {tx.carts.get(c).status for c in idle} == {CartStatus.ABANDONED}
    assert tx.carts.get(fresh).status == CartStatus.ACTIVE


def test_expire_deletes_carts_past_their_expiry_but_never_checked_out_ones(
    tx: Transaction,
) -> None:
    expired = tx.carts.get_or_create_active(session_id="expired").id
    done = tx.carts.get_or_create_active(session_id="done").id
    alive = tx.carts.get_or_create_active(session_id="alive").id
    for cart_id in (expired, done):
        _age(tx, cart_id, days=40, expires_in_days=-1)
    tx.connection.execute("UPDATE carts SET status = 'CHECKED_OUT' WHERE id = %s", [done])

    assert tx.carts.expire(batch_size=1) == 1

    with pytest.raises(NotFoundError):
        tx.carts.get(expired)
    assert tx.carts.get(done).status == CartStatus.CHECKED_OUT
    assert tx.carts.get(alive).status == CartStatus.ACTIVE


def test_a_batch_size_below_one_is_refused(tx: Transaction) -> None:
    with pytest.raises(InvalidInput, match="batch_size"):
        tx.carts.expire(batch_size=0)
