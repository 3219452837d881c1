"""NotificationRepository: a user's notifications and preferences (sql/notifications.sql),
and the outbox consumer that makes the in-app ones from events (``consume_events``)."""

from __future__ import annotations

import json
from datetime import timedelta
from uuid import UUID

from shopdb.core.paging import NEWEST_FIRST, CursorPage
from shopdb.core.unit_async import unit_of_work
from shopdb.models.events import EventType, OutboxEvent
from shopdb.models.notifications import (
    NewNotification,
    Notification,
    NotificationChannel,
    NotificationPreference,
)
from shopdb.repositories.base_async import AsyncShopRepository

CONSUMER = "notifications"
"""The outbox consumer whose cursor ``consume_events`` moves."""

MESSAGES: dict[EventType, tuple[str, str]] = {
    EventType.ORDER_PLACED: ("Order {reference} placed", "We have your order {reference}."),
    EventType.ORDER_PAID: ("Order {reference} paid", "Your payment for {reference} is in."),
    EventType.ORDER_CANCELLED: ("Order {reference} cancelled", "Order {reference} was cancelled."),
    EventType.ORDER_SHIPPED: ("Order {reference} shipped", "Order {reference} is on its way."),
    EventType.ORDER_DELIVERED: ("Order {reference} delivered", "Order {reference} arrived."),
    EventType.PAYMENT_REFUNDED: ("Refund of {amount} {currency}", "Your refund was processed."),
    EventType.REVIEW_APPROVED: ("Your review is live", "Thank you: your review is published."),
    EventType.CART_ABANDONED: ("Your cart is waiting", "You left {items} item(s) in your cart."),
}
"""The event types a customer is told of in-app (title, body; fields of the payload);
payment.settled is told as order.paid, and inventory.low_stock concerns no customer."""


class AsyncNotificationRepository(AsyncShopRepository):
    """Notifications; every statement but the consumer's and the purge is bound to a user."""

    namespace = "notifications"
    entity = "notification"
    tables = ("notifications", "notification_preferences")
    json_parameters = frozenset({"data"})
    queries = {
        "create": Notification,
        "create_from_events": None,
        "list_for_user": Notification,
        "unread_count": None,
        "mark_read": Notification,
        "mark_all_read": None,
        "set_preference": NotificationPreference,
        "preferences": NotificationPreference,
        "purge_read_batch": None,
    }
    idempotent = frozenset({"create_from_events", "set_preference", "mark_all_read"})
    constraint_messages = {
        "notifications_user_id_fkey": "there is no such user",
        "notification_preferences_user_id_fkey": "there is no such user",
        "notifications_kind_check": "a kind is 1-64 of a-z 0-9 _ ., a letter first",
    }

    async def create(self, user_id: UUID, new: NewNotification) -> Notification:
        """A new unread notification of the user (an application's own kind too)."""
        return await self._get("create", Notification, user_id=user_id, kind=new.kind,
                               title=new.title, body=new.body,
                               data=json.dumps(new.data))  # fmt: skip

    async def list_for_user(
        self, user_id: UUID, *, limit: int = 20, cursor: str | None = None
    ) -> CursorPage[Notification]:
        """The user's notifications, newest first (keyset pages)."""
        return await self._page(
            "list_for_user", Notification, NEWEST_FIRST, limit=limit, cursor=cursor,
            user_id=user_id,
        )  # fmt: skip

    async def unread_count(self, user_id: UUID) -> int:
        """How many of the user's notifications are unread (reads the partial index of
        unread rows only: cheap whatever the number of users and read notifications)."""
        unread: int = await self._value("unread_count", user_id=user_id)
        return unread

    async def mark_read(self, user_id: UUID, notification_id: UUID) -> Notification:
        """Mark one of the user's notifications read (again: no change); NotFoundError when
        it is not theirs."""
        return await self._get("mark_read", Notification, id=notification_id, user_id=user_id)

    async def mark_all_read(self, user_id: UUID) -> int:
        """Mark every unread notification of the user read; how many."""
        return await self._count("mark_all_read", user_id=user_id)

    async def set_preference(
        self, user_id: UUID, kind: str, channel: NotificationChannel, enabled: bool
    ) -> NotificationPreference:
        """Whether the user takes ``kind`` on ``channel`` (the default is yes); IN_APP off
        means the consumer writes no such notification for them."""
        return await self._get(
            "set_preference", NotificationPreference, user_id=user_id, kind=kind,
            channel=NotificationChannel(channel), enabled=enabled,
        )  # fmt: skip

    async def preferences(self, user_id: UUID) -> list[NotificationPreference]:
        """The preferences the user has set, by kind and channel."""
        return await self._list("preferences", NotificationPreference, user_id=user_id)

    async def purge_read(self, older_than: timedelta, *, batch_size: int = 5000) -> int:
        """Delete the notifications read more than ``older_than`` ago, ``batch_size`` per
        statement (each its own commit on the pool); how many in all."""
        seconds = older_than.total_seconds()
        return await self._count_in_batches("purge_read_batch", batch_size, older_than_s=seconds)

    @unit_of_work
    async def consume_events(self, limit: int = 100) -> int:
        """Consume up to ``limit`` outbox events (the ``notifications`` consumer's cursor)
        into in-app notifications of the customers they concern, in one transaction with
        the cursor's move: each event is consumed once. How many events. Locks: the
        consumer's cursor row."""
        events = await self._tx.events.next_batch(CONSUMER, limit)
        rows = [row for event in events if (row := _notification_of(event)) is not None]
        if rows:
            await self._count(
                "create_from_events", user_ids=[r[0] for r in rows], kinds=[r[1] for r in rows],
                titles=[r[2] for r in rows], bodies=[r[3] for r in rows],
                data=[r[4] for r in rows], event_ids=[r[5] for r in rows],
            )  # fmt: skip
        await self._tx.events.advance(CONSUMER, events)
        return len(events)


def _notification_of(event: OutboxEvent) -> tuple[UUID, str, str, str, str, UUID] | None:
    """The in-app notification an event makes (user, kind, title, body, data, event id)."""
    message = MESSAGES.get(event.event_type)
    user_id = event.data().user_id_of_event
    if message is None or user_id is None:
        return None
    title, body = (text.format_map(event.payload) for text in message)
    return user_id, event.event_type.value, title, body, json.dumps(event.payload), event.id
