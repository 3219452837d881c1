"""PaymentRepository against a real PostgreSQL: a payment's life, refunds and saved cards.
Orders have no repository here yet: their rows are inserted with plain SQL (tests/schema/rows.py)
on the test's transaction."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from ipaddress import ip_address
from typing import Any
from uuid import UUID, uuid4

import pytest

from shopdb import Database
from shopdb.errors import (
    ConflictError,
    IllegalPaymentTransition,
    InvalidInput,
    LivePaymentExists,
    NotFoundError,
    OrderNotPayable,
    PaymentAmountMismatch,
    RefundExceedsSettled,
)
from shopdb.models import (
    Authorization,
    NewSavedCard,
    Payment,
    PaymentProvider,
    PaymentStatus,
    SavedCard,
)
from shopdb.transaction import Transaction
from tests.schema.rows import Rows
from tests.support.factories import new_user

D = Decimal
AUTH = Authorization(transaction_id="tx-1", card_token="tok_abc", card_association="VISA",
                     bin_number="454360", last_four_digits="4242")  # fmt: skip


def order_status(tx: Transaction, order_id: UUID) -> str:
    row = tx.connection.execute("SELECT status FROM orders WHERE id = %s", [order_id]).fetchone()
    assert row is not None
    return str(row[0])


@pytest.fixture
def order_id(tx: Transaction) -> UUID:
    """A PENDING order of 108.00 TRY."""
    oid: UUID = Rows(tx.connection).id("orders")
    return oid


@pytest.fixture
def payment(tx: Transaction, order_id: UUID) -> Payment:
    return tx.payments.initiate(order_id, PaymentProvider.IYZICO)


def settled(tx: Transaction, payment: Payment) -> Payment:
    return tx.payments.settle(tx.payments.authorize(payment.id, AUTH).id)


# --- the life of a payment --------------------------------------------------------------------


def test_initiate_takes_the_amount_and_currency_from_the_order(
    tx: Transaction, order_id: UUID
) -> None:
    made = tx.payments.initiate(
        order_id, PaymentProvider.STRIPE, conversation_id="c-1", installment=3,
        ip_address=ip_address("192.0.2.1"), device_id="d-1",
    )  # fmt: skip

    assert (made.amount, made.currency, made.status) == (
        D("108.00"),
        "TRY",
        PaymentStatus.INITIATED,
    )
    assert (made.order_id, made.provider, made.installment) == (order_id, "STRIPE", 3)
    assert tx.payments.get(made.id) == made
    assert tx.payments.list_for_order(order_id) == [made]


def test_initiate_for_a_missing_order_is_not_found(tx: Transaction) -> None:
    with pytest.raises(NotFoundError):
        tx.payments.initiate(uuid4(), PaymentProvider.MANUAL)


def test_authorize_records_the_providers_answer_without_the_card_token(
    tx: Transaction, payment: Payment
) -> None:
    authorized = tx.payments.authorize(payment.id, AUTH)

    assert authorized.status is PaymentStatus.AUTHORIZED and authorized.authorized_at
    assert (authorized.transaction_id, authorized.last_four_digits) == ("tx-1", "4242")
    assert "card_token" not in Payment.model_fields


def test_settle_marks_the_payment_settled_and_the_order_paid_together(
    tx: Transaction, payment: Payment, order_id: UUID
) -> None:
    done = settled(tx, payment)

    assert done.status is PaymentStatus.SETTLED and done.settled_at is not None
    assert done.paid_price == D("108.00")
    assert order_status(tx, order_id) == "PAID"


def test_settling_for_an_order_that_is_not_pending_fails_the_payment(
    tx: Transaction, payment: Payment, order_id: UUID
) -> None:
    # Issue 23 point 12: a payment that lost the race to a cancel is FAILED, not left INITIATED.
    tx.connection.execute("UPDATE orders SET status = 'CANCELLED' WHERE id = %s", [order_id])

    with pytest.raises(IllegalPaymentTransition, match="not PENDING"):
        tx.payments.settle(payment.id)

    lost = tx.payments.get(payment.id)
    assert (lost.status, lost.failure_code) == (PaymentStatus.FAILED, "ORDER_NOT_PENDING")
    assert lost.paid_price is None and order_status(tx, order_id) == "CANCELLED"


def test_settling_for_another_amount_is_refused_and_writes_nothing(
    tx: Transaction, payment: Payment, order_id: UUID
) -> None:
    # The attack of issue 23: a payment of 108.00 settled for 0.01 marked its order PAID.
    with pytest.raises(PaymentAmountMismatch) as refused:
        tx.payments.settle(payment.id, paid_price=D("0.01"))

    assert refused.value.constraint == "payments_settled_paid_price_check"
    again = tx.payments.get(payment.id)
    assert (again.status, again.paid_price) == (PaymentStatus.INITIATED, None)
    assert order_status(tx, order_id) == "PENDING"
    assert tx.payments.settle(payment.id, paid_price=D("108.00")).status is PaymentStatus.SETTLED


def test_a_second_live_payment_of_an_order_is_refused(
    tx: Transaction, payment: Payment, order_id: UUID
) -> None:
    with pytest.raises(LivePaymentExists) as refused, tx.savepoint():
        tx.payments.initiate(order_id, PaymentProvider.STRIPE)
    assert refused.value.constraint == "payments_order_id_live_key"

    tx.payments.fail(payment.id, reason="declined")
    retry = tx.payments.initiate(order_id, PaymentProvider.STRIPE)
    assert retry.status is PaymentStatus.INITIATED


def test_a_new_payment_of_an_order_that_is_not_pending_is_refused(
    tx: Transaction, payment: Payment, order_id: UUID
) -> None:
    tx.payments.fail(payment.id, reason="declined")  # no live payment left
    tx.connection.execute("UPDATE orders SET status = 'CANCELLED' WHERE id = %s", [order_id])

    with pytest.raises(OrderNotPayable) as refused, tx.savepoint():
        tx.payments.initiate(order_id, PaymentProvider.IYZICO)

    assert refused.value.constraint == "payments_order_pending_check"
    assert len(tx.payments.list_for_order(order_id)) == 1


def test_a_replayed_notification_changes_nothing_and_returns_the_same_payment(
    tx: Transaction, payment: Payment, order_id: UUID
) -> None:
    tx.payments.authorize(payment.id, AUTH)

    first = tx.payments.record_notification(PaymentProvider.IYZICO, "tx-1", paid_price=D("108"))
    replayed = tx.payments.record_notification(PaymentProvider.IYZICO, "tx-1", paid_price=D("108"))

    assert first.status is PaymentStatus.SETTLED and replayed == first
    assert order_status(tx, order_id) == "PAID"
    with pytest.raises(PaymentAmountMismatch):
        tx.payments.record_notification(PaymentProvider.IYZICO, "tx-1", paid_price=D("1"))
    with pytest.raises(NotFoundError):
        tx.payments.record_notification(PaymentProvider.STRIPE, "tx-1", paid_price=D("108"))


def test_concurrent_replays_of_a_notification_settle_once(db: Database) -> None:
    with db.transaction() as tx:
        order = Rows(tx.connection).id(
            "orders", subtotal_amount=0, tax_amount=108, discount_amount=0
        )
    payment = db.payments.initiate(order, PaymentProvider.IYZICO)
    db.payments.authorize(payment.id, AUTH)
    barrier = threading.Barrier(4, timeout=10)

    def notify(_: int) -> Payment:
        barrier.wait()
        return db.payments.record_notification(PaymentProvider.IYZICO, "tx-1", paid_price=D(108))

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(notify, range(4)))

    assert {a.id for a in answers} == {payment.id}
    assert {a.status for a in answers} == {PaymentStatus.SETTLED}
    assert {a.settled_at for a in answers} == {db.payments.get(payment.id).settled_at}


def test_fail_records_the_reason_and_code(tx: Transaction, payment: Payment) -> None:
    failed = tx.payments.fail(payment.id, reason="insufficient funds", code="51")

    assert failed.status is PaymentStatus.FAILED and failed.failed_at is not None
    assert (failed.failure_reason, failed.failure_code) == ("insufficient funds", "51")


@pytest.mark.parametrize("action", ["authorize", "settle", "fail"])
def test_a_failed_payment_moves_no_further(tx: Transaction, payment: Payment, action: str) -> None:
    tx.payments.fail(payment.id, reason="declined")
    calls: dict[str, Any] = {
        "authorize": lambda: tx.payments.authorize(payment.id, AUTH),
        "settle": lambda: tx.payments.settle(payment.id),
        "fail": lambda: tx.payments.fail(payment.id, reason="again"),
    }

    with pytest.raises(IllegalPaymentTransition, match="FAILED"):
        calls[action]()


def test_moving_a_missing_payment_is_not_found(tx: Transaction) -> None:
    with pytest.raises(NotFoundError, match="payment"):
        tx.payments.fail(uuid4(), reason="x")


def test_concurrent_settlements_of_one_payment_settle_it_once(db: Database) -> None:
    # One live payment per order (payments_order_id_live_key): the race is on that payment.
    with db.transaction() as tx:
        order = Rows(tx.connection).id(
            "orders", subtotal_amount=0, tax_amount=108, discount_amount=0
        )
    payment = db.payments.initiate(order, PaymentProvider.IYZICO)
    barrier = threading.Barrier(3, timeout=10)

    def settle(_: int) -> str:
        barrier.wait()
        try:
            return db.payments.settle(payment.id).status.value
        except IllegalPaymentTransition:
            return "refused"

    with ThreadPoolExecutor(max_workers=3) as pool:
        outcomes = sorted(pool.map(settle, range(3)))

    assert outcomes == ["SETTLED", "refused", "refused"]
    assert [p.status.value for p in db.payments.list_for_order(order)] == ["SETTLED"]


# --- refunds ----------------------------------------------------------------------------------


def test_partial_refunds_then_the_rest_make_the_payment_refunded(
    tx: Transaction, payment: Payment
) -> None:
    settled(tx, payment)

    first = tx.payments.refund(payment.id, D("8.00"), reason="damaged", refund_id="r-1")
    assert tx.payments.get(payment.id).status is PaymentStatus.SETTLED
    tx.payments.refund(payment.id, D("100.00"))

    assert (first.amount, first.currency, first.status) == (D("8.00"), "TRY", "SUCCEEDED")
    assert tx.payments.get(payment.id).status is PaymentStatus.REFUNDED
    assert [r.amount for r in tx.payments.list_refunds(payment.id)] == [D("8.00"), D("100.00")]


def test_a_refund_beyond_the_settled_amount_is_refused(tx: Transaction, payment: Payment) -> None:
    settled(tx, payment)
    tx.payments.refund(payment.id, D("100.00"))

    with pytest.raises(RefundExceedsSettled) as caught, tx.savepoint():
        tx.payments.refund(payment.id, D("8.01"))

    assert caught.value.constraint == "payment_refunds_within_settled_amount_check"
    assert tx.payments.get(payment.id).status is PaymentStatus.SETTLED


def test_a_payment_not_settled_cannot_be_refunded(tx: Transaction, payment: Payment) -> None:
    with pytest.raises(RefundExceedsSettled), tx.savepoint():
        tx.payments.refund(payment.id, D("1.00"))


def test_a_refund_of_a_missing_payment_is_not_found(tx: Transaction) -> None:
    with pytest.raises(NotFoundError):
        tx.payments.refund(uuid4(), D("1.00"))


def test_concurrent_refunds_through_the_repository_stay_within_the_amount(db: Database) -> None:
    with db.transaction() as tx:
        order = Rows(tx.connection).id(
            "orders", subtotal_amount=0, tax_amount=108, discount_amount=0
        )
    payment = db.payments.initiate(order, PaymentProvider.IYZICO)
    db.payments.settle(payment.id)
    barrier = threading.Barrier(4, timeout=10)

    def refund(_: int) -> str:
        barrier.wait()
        try:
            db.payments.refund(payment.id, D("54.00"))
        except RefundExceedsSettled:
            return "refused"
        return "refunded"

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = sorted(pool.map(refund, range(4)))

    assert outcomes == ["refunded", "refunded", "refused", "refused"]
    assert db.payments.get(payment.id).status is PaymentStatus.REFUNDED


# --- saved cards ------------------------------------------------------------------------------


def new_card(**overrides: Any) -> NewSavedCard:
    values: dict[str, Any] = {
        "card_token": f"tok_{uuid4().hex}",
        "last_four_digits": "4242",
        "expiry_month": 12,
        "expiry_year": 2030,
    }
    values.update(overrides)
    return NewSavedCard.model_validate(values)


@pytest.fixture
def user_id(tx: Transaction) -> UUID:
    return tx.users.create(new_user()).id


def test_a_saved_card_keeps_no_number_and_reads_show_no_token(
    tx: Transaction, user_id: UUID
) -> None:
    card = tx.payments.save_card(user_id, new_card(card_alias="Work", bin_number="454360"))

    assert (card.card_alias, card.bin_number, card.last_four_digits) == ("Work", "454360", "4242")
    assert card.is_default is False
    assert "card_token" not in SavedCard.model_fields
    assert tx.payments.list_cards(user_id) == [card]


@pytest.mark.parametrize(
    "overrides",
    [
        {"card_token": "4111111111111111"},
        {"card_token": "4111 1111 1111 1111"},
        {"last_four_digits": "42"},
        {"bin_number": "12"},
        {"expiry_month": 13},
        {"number": "4111111111111111"},
    ],
)
def test_a_card_number_or_malformed_card_is_refused(overrides: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        new_card(**overrides)


def test_a_card_token_saved_twice_is_a_conflict(tx: Transaction, user_id: UUID) -> None:
    card = new_card()
    tx.payments.save_card(user_id, card)

    with pytest.raises(ConflictError) as caught, tx.savepoint():
        tx.payments.save_card(user_id, card)

    assert caught.value.constraint == "saved_cards_card_token_key"


def test_one_default_card_per_user(tx: Transaction, user_id: UUID) -> None:
    a, b = (tx.payments.save_card(user_id, new_card()) for _ in range(2))

    tx.payments.set_default_card(user_id, a.id)
    moved = tx.payments.set_default_card(user_id, b.id)

    assert moved.is_default
    assert [c.id for c in tx.payments.list_cards(user_id) if c.is_default] == [b.id]


def test_another_users_card_cannot_be_made_default_or_deleted(
    tx: Transaction, user_id: UUID
) -> None:
    theirs = tx.payments.save_card(tx.users.create(new_user()).id, new_card())

    with pytest.raises(NotFoundError):
        tx.payments.set_default_card(user_id, theirs.id)
    with pytest.raises(NotFoundError):
        tx.payments.delete_card(user_id, theirs.id)
    with pytest.raises(NotFoundError):
        tx.payments.set_default_card(uuid4(), theirs.id)


def test_delete_card_removes_it(tx: Transaction, user_id: UUID) -> None:
    card = tx.payments.save_card(user_id, new_card())

    tx.payments.delete_card(user_id, card.id)

    assert tx.payments.list_cards(user_id) == []


def test_concurrent_default_card_changes_leave_exactly_one_default(db: Database) -> None:
    user_id = db.users.create(new_user()).id
    cards = [db.payments.save_card(user_id, new_card()) for _ in range(4)]
    barrier = threading.Barrier(len(cards), timeout=10)

    def race(card: SavedCard) -> UUID:
        barrier.wait()
        return db.payments.set_default_card(user_id, card.id).id

    with ThreadPoolExecutor(max_workers=len(cards)) as pool:
        list(pool.map(race, cards))

    assert len([c for c in db.payments.list_cards(user_id) if c.is_default]) == 1
