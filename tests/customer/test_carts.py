"""db.customer(user_id).carts: the customer's own carts only; a write to another's changes
nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shopdb import Transaction
from shopdb.customers import CustomerView
from shopdb.errors import NotFoundError
from shopdb.models import CartLine
from tests.repositories.fixture_orders import PRICES, Shop, fill_cart


def lines(tx: Transaction, cart_id: object) -> list[tuple[object, ...]]:
    return tx.connection.execute(
        "SELECT product_variant_id, quantity, updated_at FROM cart_items WHERE cart_id = %s "
        "ORDER BY product_variant_id",
        [cart_id],
    ).fetchall()


def cart_stamp(tx: Transaction, cart_id: object) -> object:
    found = tx.connection.execute("SELECT updated_at FROM carts WHERE id = %s", [cart_id])
    return found.fetchone()


def test_the_customer_fills_and_reads_their_own_cart(mine: CustomerView, alice: Shop) -> None:
    cart = mine.carts.get_or_create_active()
    first, second = alice.variants

    mine.carts.add_item(cart.id, first, 2)
    mine.carts.add_item(cart.id, CartLine(product_variant_id=second, quantity=1))
    mine.carts.set_quantity(cart.id, second, 3)
    mine.carts.remove_item(cart.id, first)

    assert mine.carts.get(cart.id).id == cart.id
    assert [
        (i.product_variant_id, i.quantity) for i in mine.carts.get_with_items(cart.id).items
    ] == [(second, 3)]
    assert mine.carts.totals(cart.id).subtotal == PRICES[1] * 3
    mine.carts.set_quantity(cart.id, second, 0)
    assert mine.carts.totals(cart.id).subtotal == Decimal("0")


def test_another_customers_cart_is_not_found_and_its_lines_stay(
    tx: Transaction, mine: CustomerView, mallory: Shop
) -> None:
    theirs = fill_cart(tx, mallory)
    before = (lines(tx, theirs), cart_stamp(tx, theirs))
    variant = mallory.variants[0]

    with pytest.raises(NotFoundError, match="cart"):
        mine.carts.get(theirs)
    with pytest.raises(NotFoundError, match="cart"):
        mine.carts.get_with_items(theirs)
    with pytest.raises(NotFoundError, match="cart"):
        mine.carts.totals(theirs)
    with pytest.raises(NotFoundError, match="cart"):
        mine.carts.add_item(theirs, variant, 5)
    with pytest.raises(NotFoundError, match="cart"):
        mine.carts.set_quantity(theirs, variant, 7)
    with pytest.raises(NotFoundError, match="cart"):
        mine.carts.set_quantity(theirs, variant, 0)
    with pytest.raises(NotFoundError, match="cart"):
        mine.carts.remove_item(theirs, variant)

    assert (lines(tx, theirs), cart_stamp(tx, theirs)) == before


def test_a_guest_cart_is_not_the_customers_until_merged(
    tx: Transaction, mine: CustomerView
) -> None:
    guest = tx.carts.get_or_create_active(session_id="guest-session-of-alice")

    with pytest.raises(NotFoundError, match="cart"):
        mine.carts.get(guest.id)

    assert mine.carts.merge_guest_cart("guest-session-of-alice").id == guest.id
    assert mine.carts.get(guest.id).user_id == mine.user_id
