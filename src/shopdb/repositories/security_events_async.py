"""SecurityEventRepository: the security event log over sql/security_events.sql."""

from __future__ import annotations

from uuid import UUID

from pydantic_core import to_json

from shopdb.core.paging import NEWEST_FIRST, CursorPage
from shopdb.models.security_events import NewSecurityEvent, SecurityEvent
from shopdb.repositories.base_async import AsyncShopRepository


class AsyncSecurityEventRepository(AsyncShopRepository):
    """Append-only security events, listed per user or per type, newest first."""

    namespace = "security_events"
    entity = "security event"
    tables = ("security_events",)
    json_parameters = frozenset({"payload"})
    queries = {
        "record": SecurityEvent,
        "list_for_user": SecurityEvent,
        "list_by_type": SecurityEvent,
        "erase_for_user": None,
    }
    constraint_messages = {
        "security_events_user_id_fkey": "the event's user does not exist",
        "security_events_type_check": "an event type is upper snake case (LOGIN_FAILED)",
        "security_events_payload_check": "an event payload is a JSON object",
    }

    async def record(self, new: NewSecurityEvent) -> SecurityEvent:
        """Append one event; ConstraintViolation when it names an unknown user."""
        return await self._get(
            "record",
            SecurityEvent,
            user_id=new.user_id,
            type=new.type,
            ip_address=new.ip_address,
            user_agent=new.user_agent,
            payload=to_json(new.payload).decode(),
        )

    async def erase_for_user(self, user_id: UUID) -> int:
        """An erasure's step (``db.erasure.erase``): the user's events keep their type and
        time, lose IP address, user agent and payload. How many events changed."""
        return await self._count("erase_for_user", user_id=user_id)

    async def list_for_user(
        self, user_id: UUID, *, limit: int = 20, cursor: str | None = None
    ) -> CursorPage[SecurityEvent]:
        """The user's events, newest first, ``limit`` at a time."""
        return await self._page(
            "list_for_user",
            SecurityEvent,
            NEWEST_FIRST,
            limit=limit,
            cursor=cursor,
            user_id=user_id,
        )

    async def list_by_type(
        self, event_type: str, *, limit: int = 20, cursor: str | None = None
    ) -> CursorPage[SecurityEvent]:
        """The events of one type, every user's, newest first (for operators)."""
        return await self._page(
            "list_by_type", SecurityEvent, NEWEST_FIRST, limit=limit, cursor=cursor, type=event_type
        )
