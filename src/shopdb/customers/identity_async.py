"""A customer's sessions and API keys: every statement of sessions and api_keys behind them
already takes the user id (``AND user_id = :user_id``), so the view only binds it."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from shopdb.core.paging import CursorPage
from shopdb.models.api_keys import ApiKey, CreatedApiKey, NewApiKey
from shopdb.models.audit import Actor
from shopdb.models.sessions import Session

if TYPE_CHECKING:
    from shopdb.components_async import AsyncComponents


class AsyncCustomerSessions:
    """``db.customer(user_id).sessions``: the customer's sessions."""

    def __init__(self, unit: AsyncComponents, user_id: UUID) -> None:
        self._unit = unit
        self._user_id = user_id

    async def touch(self, session_id: UUID) -> bool:
        """Stamp the customer's live session as seen; False for another's (nothing written)."""
        return await self._unit.sessions.touch(self._user_id, session_id)

    async def revoke(self, session_id: UUID) -> Session:
        """Revoke the customer's live session; NotFoundError otherwise."""
        return await self._unit.sessions.revoke(self._user_id, session_id)

    async def revoke_all_for_user(self) -> int:
        """Revoke every live session of the customer; how many there were."""
        return await self._unit.sessions.revoke_all_for_user(self._user_id)

    async def list_for_user(
        self, *, limit: int = 20, cursor: str | None = None
    ) -> CursorPage[Session]:
        """The customer's live sessions, newest first."""
        return await self._unit.sessions.list_for_user(self._user_id, limit=limit, cursor=cursor)


class AsyncCustomerApiKeys:
    """``db.customer(user_id).api_keys``: the customer's API keys."""

    def __init__(self, unit: AsyncComponents, user_id: UUID) -> None:
        self._unit = unit
        self._user_id = user_id

    async def create(self, new: NewApiKey) -> CreatedApiKey:
        """A new key of the customer, with its full text (the only time it is seen)."""
        return await self._unit.api_keys.create(self._user_id, new)

    async def get_for_user(self, key_id: UUID) -> ApiKey:
        """The customer's key; NotFoundError otherwise."""
        return await self._unit.api_keys.get_for_user(self._user_id, key_id)

    async def revoke(self, key_id: UUID, actor: Actor) -> ApiKey:
        """Revoke the customer's key, audited; NotFoundError otherwise."""
        return await self._unit.api_keys.revoke(self._user_id, key_id, actor)

    async def list_for_user(
        self, *, limit: int = 20, cursor: str | None = None
    ) -> CursorPage[ApiKey]:
        """The customer's keys in every status, newest first."""
        return await self._unit.api_keys.list_for_user(self._user_id, limit=limit, cursor=cursor)
