"""SessionRepository: refresh-token sessions over sql/sessions.sql."""

from __future__ import annotations

import secrets
from typing import ClassVar
from uuid import UUID

from pydantic import SecretStr

from shopdb.core.paging import NEWEST_FIRST, CursorPage
from shopdb.models.sessions import CreatedSession, NewSession, Session, refresh_token_hash
from shopdb.models.users import ERASED_OWNER, UserErased
from shopdb.repositories.base_async import AsyncShopRepository


class AsyncSessionRepository(AsyncShopRepository):
    """Sessions of users. Every read or write of a user's sessions takes the user id."""

    namespace = "sessions"
    entity = "session"
    tables = ("user_sessions",)
    queries = {
        "create": Session,
        "find_active": Session,
        "touch": None,
        "erase_for_user": None,
        "revoke": Session,
        "revoke_all_for_user": None,
        "list_for_user": Session,
        "delete_expired": None,
    }
    constraint_messages = {
        "user_sessions_user_id_fkey": "the session's user does not exist",
        "user_sessions_refresh_token_hash_key": "a session with this token exists",
        "user_sessions_refresh_token_hash_check": "refresh_token_hash must be a hash",
        "user_sessions_expires_at_check": "a session must expire after it starts",
        "user_sessions_revoked_at_check": "a session cannot be revoked before it starts",
        "user_sessions_owner_not_erased_check": ERASED_OWNER,
    }
    constraint_errors = {
        "user_sessions_owner_not_erased_check": UserErased,
    }
    touch_interval_s: ClassVar[int] = 60
    """touch writes last_seen_at at most this often per session."""

    async def create(self, new: NewSession) -> CreatedSession:
        """Start a session: draw a 256-bit refresh token, store only its SHA-256, and return
        the token with the session (the one time it is seen)."""
        token = secrets.token_urlsafe(32)
        session = await self._get(
            "create",
            Session,
            refresh_token_hash=refresh_token_hash(token),
            **new.model_dump(),
        )
        return CreatedSession(session=session, refresh_token=SecretStr(token))

    async def find_active(self, token_hash: str) -> Session | None:
        """The session of this token hash (``refresh_token_hash(token)``) unless revoked or
        expired, or its user is not live and ACTIVE (so a suspension or deletion racing the
        revocation of the sessions leaves none open); None otherwise."""
        return await self._find("find_active", Session, refresh_token_hash=token_hash)

    async def touch(self, user_id: UUID, session_id: UUID) -> bool:
        """Stamp last_seen_at; no write when it was stamped within ``touch_interval_s`` or the
        session is not this user's live one. True when it wrote."""
        interval = self.touch_interval_s
        return (
            await self._count("touch", user_id=user_id, id=session_id, min_interval_s=interval) > 0
        )

    async def revoke(self, user_id: UUID, session_id: UUID) -> Session:
        """Revoke one live session of this user; NotFoundError when the user has none such."""
        return await self._get("revoke", Session, user_id=user_id, id=session_id)

    async def revoke_all_for_user(self, user_id: UUID) -> int:
        """Revoke every live session of the user; how many there were."""
        return await self._count("revoke_all_for_user", user_id=user_id)

    async def erase_for_user(self, user_id: UUID) -> int:
        """An erasure's step (``db.erasure.erase``): the user's sessions, ended by then, lose
        their fingerprint, IP address and user agent. How many sessions changed."""
        return await self._count("erase_for_user", user_id=user_id)

    async def list_for_user(
        self, user_id: UUID, *, limit: int = 20, cursor: str | None = None
    ) -> CursorPage[Session]:
        """The user's live sessions, newest first, ``limit`` at a time."""
        return await self._page(
            "list_for_user", Session, NEWEST_FIRST, limit=limit, cursor=cursor, user_id=user_id
        )

    async def delete_expired(self, batch_size: int = 1000) -> int:
        """Delete every expired session, ``batch_size`` rows per statement: outside a
        transaction each batch commits on its own, so no lock is held for long and concurrent
        reads never wait on a long delete. Returns how many were deleted."""
        return await self._count_in_batches("delete_expired", batch_size)
