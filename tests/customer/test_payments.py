"""db.customer(user_id).payments: the customer's own payments and saved cards only."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from shopdb import Transaction
from shopdb.customers import CustomerView
from shopdb.errors import NotFoundError
from shopdb.models import Authorization, NewSavedCard, PaymentProvider
from tests.customer.conftest import row
from tests.repositories.fixture_orders import Shop, checkout_of, fill_cart


def card() -> NewSavedCard:
    return NewSavedCard(
        card_token=f"tok_{uuid4().hex}", last_four_digits="4242", expiry_month=12, expiry_year=2030
    )


def order_of(tx: Transaction, shop: Shop) -> UUID:
    return tx.orders.place_from_cart(fill_cart(tx, shop), checkout_of(shop)).order.id


def settled_and_refunded(tx: Transaction, order_id: UUID) -> UUID:
    payment = tx.payments.initiate(order_id, PaymentProvider.IYZICO)
    auth = Authorization(transaction_id=f"t-{uuid4().hex}", card_token="tok")
    tx.payments.settle(tx.payments.authorize(payment.id, auth).id)
    tx.payments.refund(payment.id, Decimal("1.00"), reason="damaged")
    return payment.id


def test_the_customer_pays_and_reads_their_own_payments(
    tx: Transaction, mine: CustomerView, alice: Shop
) -> None:
    order_id = order_of(tx, alice)
    payment = mine.payments.initiate(order_id, PaymentProvider.IYZICO)

    assert payment.user_id == alice.user_id
    assert mine.payments.get(payment.id) == payment
    assert mine.payments.list_for_order(order_id) == [payment]
    refunded = settled_and_refunded(tx, order_of(tx, alice))  # one live payment per order
    assert [r.amount for r in mine.payments.list_refunds(refunded)] == [Decimal("1.00")]


def test_another_customers_order_cannot_be_paid_and_their_payments_are_not_found(
    tx: Transaction, mine: CustomerView, mallory: Shop
) -> None:
    order_id = order_of(tx, mallory)
    payment_id = settled_and_refunded(tx, order_id)
    count = tx.connection.execute("SELECT count(*) FROM payments").fetchone()

    with pytest.raises(NotFoundError, match="payment"):
        mine.payments.initiate(order_id, PaymentProvider.IYZICO)
    with pytest.raises(NotFoundError, match="payment"):
        mine.payments.get(payment_id)
    assert mine.payments.list_for_order(order_id) == []
    assert mine.payments.list_refunds(payment_id) == []
    assert tx.connection.execute("SELECT count(*) FROM payments").fetchone() == count


def test_another_customers_saved_card_is_not_found_and_stays(
    tx: Transaction, mine: CustomerView, mallory: Shop
) -> None:
    own = mine.payments.save_card(card())
    theirs = tx.payments.save_card(mallory.user_id, card())
    before = row(tx.connection, "saved_cards", theirs.id)

    with pytest.raises(NotFoundError):
        mine.payments.set_default_card(theirs.id)
    with pytest.raises(NotFoundError):
        mine.payments.delete_card(theirs.id)

    assert row(tx.connection, "saved_cards", theirs.id) == before
    assert [c.id for c in mine.payments.list_cards()] == [own.id]
    assert mine.payments.set_default_card(own.id).is_default
    mine.payments.delete_card(own.id)
    assert mine.payments.list_cards() == []
