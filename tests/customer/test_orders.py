"""db.customer(user_id).orders: the customer's own orders, and the checkout of their own cart
with their own addresses; the idempotency key of a checkout replayed by its customer."""

from __future__ import annotations

import pytest

from shopdb import Transaction
from shopdb.customers import CustomerView
from shopdb.errors import CheckoutRefused, IdempotencyKeyReused, NotFoundError
from tests.repositories.fixture_orders import Shop, checkout_of, fill_cart, stock_of


def orders_count(tx: Transaction) -> int:
    found = tx.connection.execute("SELECT count(*) FROM orders").fetchone()
    assert found is not None
    return int(found[0])


def test_the_customer_places_and_reads_their_own_order(
    tx: Transaction, mine: CustomerView, alice: Shop
) -> None:
    checkout = checkout_of(alice)
    placed = mine.orders.place_from_cart(fill_cart(tx, alice), checkout)
    order = placed.order

    assert order.user_id == alice.user_id
    assert order.idempotency_key == checkout.idempotency_key
    assert mine.orders.get(order.id) == placed
    assert mine.orders.get_by_reference(order.reference.lower()) == order
    assert mine.orders.list_items(order.id) == placed.items
    assert [o.id for o in mine.orders.list_for_user().items] == [order.id]
    key = mine.orders.find_by_idempotency_key(checkout.idempotency_key)
    assert key is not None and key.id == order.id


def test_another_customers_order_is_not_found(
    tx: Transaction, mine: CustomerView, mallory: Shop
) -> None:
    checkout = checkout_of(mallory)
    theirs = tx.orders.place_from_cart(fill_cart(tx, mallory), checkout).order

    with pytest.raises(NotFoundError, match="order"):
        mine.orders.get(theirs.id)
    with pytest.raises(NotFoundError, match="order"):
        mine.orders.get_by_reference(theirs.reference)
    assert mine.orders.list_items(theirs.id) == []
    assert mine.orders.find_by_idempotency_key(checkout.idempotency_key) is None
    assert mine.orders.list_for_user().items == []


def test_checking_out_another_customers_cart_is_not_found_and_writes_nothing(
    tx: Transaction, mine: CustomerView, alice: Shop, mallory: Shop
) -> None:
    theirs = fill_cart(tx, mallory)

    with pytest.raises(NotFoundError, match="cart"):
        mine.orders.place_from_cart(theirs, checkout_of(alice))

    assert orders_count(tx) == 0
    assert tx.carts.get(theirs).status == "ACTIVE"
    assert stock_of(tx.connection, alice.variants[0]) == (10, 0)


@pytest.mark.parametrize("which", ["shipping_address_id", "billing_address_id"])
def test_checking_out_with_another_customers_address_is_refused_and_writes_nothing(
    tx: Transaction, mine: CustomerView, alice: Shop, mallory: Shop, which: str
) -> None:
    cart = fill_cart(tx, alice)

    with pytest.raises(CheckoutRefused, match="address"):
        mine.orders.place_from_cart(cart, checkout_of(alice, **{which: mallory.address_id}))

    assert orders_count(tx) == 0
    assert tx.carts.get(cart).status == "ACTIVE"
    assert stock_of(tx.connection, alice.variants[0]) == (10, 0)


def test_a_replayed_key_with_the_customers_next_cart_returns_the_original_order(
    tx: Transaction, mine: CustomerView, alice: Shop
) -> None:
    checkout = checkout_of(alice)
    placed = mine.orders.place_from_cart(fill_cart(tx, alice), checkout)
    current = fill_cart(tx, alice)  # the client's current cart is a new one after checkout

    assert mine.orders.place_from_cart(current, checkout) == placed
    assert orders_count(tx) == 1
    assert tx.carts.get(current).status == "ACTIVE"


def test_another_customers_key_gives_nothing_of_their_order(
    tx: Transaction, mine: CustomerView, alice: Shop, mallory: Shop
) -> None:
    key = checkout_of(mallory).idempotency_key
    theirs = tx.orders.place_from_cart(
        fill_cart(tx, mallory), checkout_of(mallory, idempotency_key=key)
    )
    cart = fill_cart(tx, alice)

    with pytest.raises(IdempotencyKeyReused) as refused:
        mine.orders.place_from_cart(cart, checkout_of(alice, idempotency_key=key))

    assert str(theirs.order.id) not in str(refused.value)
    assert theirs.order.reference not in str(refused.value)
    assert orders_count(tx) == 1
    assert tx.carts.get(cart).status == "ACTIVE"
