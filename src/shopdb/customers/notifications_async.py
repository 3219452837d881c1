"""A customer's notifications: every statement of db.notifications behind it is bound to
the user (``AND user_id = :user_id``), so another customer's is NotFoundError."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from shopdb.core.paging import CursorPage
from shopdb.models.notifications import Notification, NotificationChannel, NotificationPreference

if TYPE_CHECKING:
    from shopdb.components_async import AsyncComponents


class AsyncCustomerNotifications:
    """``db.customer(user_id).notifications``: the customer's notifications."""

    def __init__(self, unit: AsyncComponents, user_id: UUID) -> None:
        self._unit = unit
        self._user_id = user_id

    async def list_notifications(
        self, *, limit: int = 20, cursor: str | None = None
    ) -> CursorPage[Notification]:
        """The customer's notifications, newest first (keyset pages)."""
        return await self._unit.notifications.list_for_user(
            self._user_id, limit=limit, cursor=cursor
        )

    async def unread_count(self) -> int:
        """How many are unread."""
        return await self._unit.notifications.unread_count(self._user_id)

    async def mark_read(self, notification_id: UUID) -> Notification:
        """Mark one read; NotFoundError when it is not the customer's."""
        return await self._unit.notifications.mark_read(self._user_id, notification_id)

    async def mark_all_read(self) -> int:
        """Mark every unread one read; how many."""
        return await self._unit.notifications.mark_all_read(self._user_id)

    async def set_preference(
        self, kind: str, channel: NotificationChannel, enabled: bool
    ) -> NotificationPreference:
        """Whether the customer takes ``kind`` on ``channel``."""
        return await self._unit.notifications.set_preference(self._user_id, kind, channel, enabled)

    async def preferences(self) -> list[NotificationPreference]:
        """The preferences the customer has set."""
        return await self._unit.notifications.preferences(self._user_id)
