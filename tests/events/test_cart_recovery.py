"""Cart recovery: which carts are worth a reminder, the reminder's events, the order
attributed at checkout, and the figures by day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from shopdb import Transaction
from shopdb.core.errors import NotFoundError
from shopdb.models.cart_recovery import RecoveryKind
from shopdb.models.events import AggregateType, EventType
from tests.events.idle import make_idle
from tests.repositories.fixture_orders import PRICES, Shop, checkout_of, fill_cart, new_shop


def _idle_cart(tx: Transaction, interval: str = "2 days") -> tuple[Shop, UUID]:
    shop = new_shop(tx, tx.connection)
    cart_id = fill_cart(tx, shop, (2, 1))
    make_idle(tx.connection, cart_id, interval)
    return shop, cart_id


def test_a_cart_is_a_candidate_only_when_idle_with_items_and_an_email(tx: Transaction) -> None:
    shop, idle = _idle_cart(tx)
    _, fresh = _idle_cart(tx, "1 minute")
    empty_shop = new_shop(tx, tx.connection)
    empty = tx.carts.get_or_create_active(user_id=empty_shop.user_id).id
    make_idle(tx.connection, empty)
    guest = tx.carts.get_or_create_active(session_id=f"guest-{uuid4().hex}")
    tx.carts.add_item(guest.id, shop.variants[0], 1)
    make_idle(tx.connection, guest.id)

    found = {c.cart_id: c for c in tx.cart_recovery.candidates(limit=500)}
    assert idle in found and not {fresh, empty, guest.id} & set(found)
    candidate = found[idle]
    assert (candidate.items, candidate.subtotal) == (2, PRICES[0] * 2 + PRICES[1])


def test_remind_records_sent_and_a_cart_abandoned_event_and_respects_the_cool_down(
    tx: Transaction,
) -> None:
    _, cart_id = _idle_cart(tx)
    (reminder,) = [r for r in tx.cart_recovery.remind(limit=500) if r.cart_id == cart_id]
    assert reminder.email.startswith("buyer-")
    (event,) = tx.events.history(AggregateType.CART, cart_id)
    assert event.event_type is EventType.CART_ABANDONED
    assert event.payload["recovery_id"] == str(reminder.recovery_id)
    assert cart_id not in {c.cart_id for c in tx.cart_recovery.candidates(limit=500)}
    assert cart_id not in {r.cart_id for r in tx.cart_recovery.remind(limit=500)}


def test_opened_clicked_and_the_order_attributed_at_checkout(tx: Transaction) -> None:
    shop, cart_id = _idle_cart(tx)
    (reminder,) = [r for r in tx.cart_recovery.remind(limit=500) if r.cart_id == cart_id]
    tx.cart_recovery.record_opened(reminder.recovery_id)
    tx.cart_recovery.record_clicked(reminder.recovery_id)
    placed = tx.checkout.place_from_cart(cart_id, checkout_of(shop))

    steps = tx.cart_recovery.events_of(cart_id)
    assert [s.kind for s in steps] == [RecoveryKind.SENT, RecoveryKind.OPENED,
                                       RecoveryKind.CLICKED, RecoveryKind.RECOVERED]  # fmt: skip
    assert (steps[-1].order_id, steps[-1].revenue) == (placed.order.id, placed.order.total_amount)
    with pytest.raises(NotFoundError):
        tx.cart_recovery.record_opened(steps[-1].id)  # not a reminder


def test_a_cart_never_reminded_is_not_attributed(tx: Transaction) -> None:
    shop = new_shop(tx, tx.connection)
    cart_id = fill_cart(tx, shop)
    tx.checkout.place_from_cart(cart_id, checkout_of(shop))
    assert tx.cart_recovery.events_of(cart_id) == []


def test_the_figures_by_day(tx: Transaction) -> None:
    now = datetime.now(UTC)
    start, end = now - timedelta(days=1), now + timedelta(days=1)
    before = {d.day: d for d in tx.cart_recovery.figures_by_day(start, end)}
    shop, cart_id = _idle_cart(tx)
    _, other = _idle_cart(tx)
    reminders = {r.cart_id: r for r in tx.cart_recovery.remind(limit=500)}
    tx.cart_recovery.record_opened(reminders[cart_id].recovery_id)
    placed = tx.checkout.place_from_cart(cart_id, checkout_of(shop))

    today = now.astimezone(UTC).date()
    figures = {d.day: d for d in tx.cart_recovery.figures_by_day(start, end)}[today]
    was = before.get(today)
    base = (was.contacted, was.opened, was.recovered, was.revenue) if was else (0, 0, 0, Decimal(0))
    assert figures.contacted - base[0] >= 2 and other in reminders
    assert (figures.opened - base[1], figures.recovered - base[2]) == (1, 1)
    assert figures.revenue - base[3] == placed.order.total_amount


def test_the_customer_records_their_own_reminder_s_links_only(tx: Transaction) -> None:
    shop, cart_id = _idle_cart(tx)
    other, other_cart = _idle_cart(tx)
    reminders = {r.cart_id: r for r in tx.cart_recovery.remind(limit=500)}
    view = tx.customer(shop.user_id).cart_recovery
    assert view.opened(reminders[cart_id].recovery_id).kind is RecoveryKind.OPENED
    assert view.clicked(reminders[cart_id].recovery_id).kind is RecoveryKind.CLICKED
    with pytest.raises(NotFoundError):
        view.opened(reminders[other_cart].recovery_id)
    assert [e.kind for e in view.events_of(cart_id)] == [
        RecoveryKind.SENT, RecoveryKind.OPENED, RecoveryKind.CLICKED]  # fmt: skip
    assert view.events_of(other_cart) == []
    assert [e.kind for e in tx.cart_recovery.events_of(other_cart)] == [RecoveryKind.SENT]
    assert other.user_id != shop.user_id
