"""Notifications: made from outbox events by their consumer (each event once, preferences
honoured), the unread count over its partial index, marking read, preferences, the purge,
and the customer's view."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from shopdb import Database, Transaction
from shopdb.core.errors import InvalidInput, NotFoundError
from shopdb.models import NewUser, OrderStatus
from shopdb.models.events import EventType
from shopdb.models.notifications import NewNotification, NotificationChannel
from tests.repositories.fixture_orders import checkout_of, fill_cart, new_shop

HASH = "$2b$12$" + "n" * 53


def _user(repos: Transaction | Database) -> UUID:
    return repos.users.create(NewUser(email=f"n-{uuid4().hex[:10]}@example.com",
                                      password_hash=HASH)).id  # fmt: skip


def test_the_consumer_tells_the_customer_of_their_order_once(db: Database) -> None:
    with db.transaction() as tx:
        shop = new_shop(tx, tx.connection)
        order = tx.checkout.place_from_cart(fill_cart(tx, shop), checkout_of(shop)).order
        tx.fulfilment.change_status(order.id, OrderStatus.CANCELLED, order.version)
    deadline = time.monotonic() + 30
    while db.notifications.unread_count(shop.user_id) < 2:
        assert time.monotonic() < deadline
        db.notifications.consume_events(100)
    for _ in range(3):
        db.notifications.consume_events(100)  # nothing is consumed twice
    page = db.notifications.list_for_user(shop.user_id, limit=10)
    by_kind = {n.kind: n for n in page.items}  # one statement wrote both: no order between them
    assert len(page.items) == 2 and set(by_kind) == {"order.placed", "order.cancelled"}
    assert by_kind["order.placed"].title == f"Order {order.reference} placed"
    assert by_kind["order.placed"].data["order_id"] == str(order.id)
    assert db.events.cursor("notifications").consumed >= 2
    assert db.events.lag("notifications") == 0


def test_a_kind_turned_off_in_app_is_not_written(db: Database) -> None:
    with db.transaction() as tx:
        shop = new_shop(tx, tx.connection)
        tx.notifications.set_preference(shop.user_id, "order.placed", NotificationChannel.IN_APP,
                                        False)  # fmt: skip
        order = tx.checkout.place_from_cart(fill_cart(tx, shop), checkout_of(shop)).order
        tx.fulfilment.change_status(order.id, OrderStatus.CANCELLED, order.version)
    deadline = time.monotonic() + 30
    while db.notifications.unread_count(shop.user_id) < 1:
        assert time.monotonic() < deadline
        db.notifications.consume_events(100)
    db.notifications.consume_events(100)
    kinds = [n.kind for n in db.notifications.list_for_user(shop.user_id).items]
    assert kinds == ["order.cancelled"]


def test_unread_count_mark_one_and_mark_all(tx: Transaction) -> None:
    user_id, other = _user(tx), _user(tx)
    made = [tx.notifications.create(user_id, NewNotification(kind="promo", title=f"n{i}"))
            for i in range(3)]  # fmt: skip
    tx.notifications.create(other, NewNotification(kind="promo", title="theirs"))
    assert tx.notifications.unread_count(user_id) == 3
    read = tx.notifications.mark_read(user_id, made[0].id)
    assert read.read_at is not None
    assert tx.notifications.mark_read(user_id, made[0].id).read_at == read.read_at
    assert tx.notifications.unread_count(user_id) == 2
    with pytest.raises(NotFoundError):
        tx.notifications.mark_read(other, made[1].id)
    assert tx.notifications.mark_all_read(user_id) == 2
    assert (tx.notifications.unread_count(user_id), tx.notifications.unread_count(other)) == (0, 1)


def test_preferences_are_set_and_replaced(tx: Transaction) -> None:
    user_id = _user(tx)
    tx.notifications.set_preference(user_id, "order.shipped", NotificationChannel.EMAIL, False)
    tx.notifications.set_preference(user_id, "order.shipped", NotificationChannel.EMAIL, True)
    tx.notifications.set_preference(user_id, "order.shipped", NotificationChannel.PUSH, False)
    prefs = [(p.kind, p.channel, p.enabled) for p in tx.notifications.preferences(user_id)]
    assert prefs == [("order.shipped", NotificationChannel.EMAIL, True),
                     ("order.shipped", NotificationChannel.PUSH, False)]  # fmt: skip
    with pytest.raises(InvalidInput):
        NewNotification(kind="Not A Kind", title="x")


def test_old_read_notifications_are_purged_in_batches(tx: Transaction) -> None:
    user_id = _user(tx)
    for i in range(5):
        tx.notifications.create(user_id, NewNotification(kind="promo", title=f"n{i}"))
    tx.notifications.mark_all_read(user_id)
    tx.connection.execute(
        """UPDATE notifications SET read_at = now() - interval '40 days'
            WHERE user_id = %s AND title <> 'n4'""", [user_id])  # fmt: skip
    tx.notifications.create(user_id, NewNotification(kind="promo", title="unread"))
    assert tx.notifications.purge_read(timedelta(days=30), batch_size=2) == 4
    left = sorted(n.title for n in tx.notifications.list_for_user(user_id).items)
    assert left == ["n4", "unread"]


def test_the_unread_count_reads_the_partial_index_of_unread_rows(tx: Transaction) -> None:
    users = [_user(tx) for _ in range(3)]
    tx.connection.execute(
        """INSERT INTO notifications (user_id, kind, title, read_at)
           SELECT (%s::uuid[])[1 + g %% 3], 'promo', 'n', CASE WHEN g %% 10 > 0 THEN now() END
             FROM generate_series(1, 3000) AS g""", [users])  # fmt: skip
    tx.connection.execute("ANALYZE notifications")
    plan = _plan(tx, "SELECT count(*) FROM notifications WHERE user_id = %s AND read_at IS NULL",
                 users[0])  # fmt: skip
    assert "notifications_user_id_unread_idx" in plan
    assert tx.notifications.unread_count(users[0]) == 100


def _plan(tx: Transaction, query: str, *params: Any) -> str:
    rows = tx.connection.execute(f"EXPLAIN {query}", list(params)).fetchall()
    return "\n".join(row[0] for row in rows)


def test_the_customer_view_sees_only_their_notifications(tx: Transaction) -> None:
    user_id, other = _user(tx), _user(tx)
    mine = tx.notifications.create(user_id, NewNotification(kind="promo", title="mine"))
    theirs = tx.notifications.create(other, NewNotification(kind="promo", title="theirs"))
    view = tx.customer(user_id).notifications
    assert [n.id for n in view.list_notifications().items] == [mine.id]
    assert view.unread_count() == 1
    with pytest.raises(NotFoundError):
        view.mark_read(theirs.id)
    assert view.mark_read(mine.id).read_at is not None
    assert view.mark_all_read() == 0
    view.set_preference("promo", NotificationChannel.EMAIL, False)
    assert [p.enabled for p in view.preferences()] == [False]
    assert tx.notifications.unread_count(other) == 1


def test_events_without_a_customer_make_no_notification(tx: Transaction) -> None:
    from shopdb.models.events import InventoryLowStock

    event = InventoryLowStock(inventory_id=uuid4(), product_variant_id=uuid4(),
                              quantity_available=0, low_stock_threshold=1)  # fmt: skip
    assert event.user_id_of_event is None and event.event_type is EventType.INVENTORY_LOW_STOCK
