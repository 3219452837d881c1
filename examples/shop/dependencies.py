"""What a route asks for: the database (``Db``) and the logged-in shopper (``Me``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, cast
from uuid import UUID

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shopdb import AsyncDatabase
from shopdb.models import refresh_token_hash


def database(request: Request) -> AsyncDatabase:
    """The application's AsyncDatabase (opened by its lifespan, or given to create_app)."""
    return cast(AsyncDatabase, request.app.state.db)


Db = Annotated[AsyncDatabase, Depends(database)]
_bearer = HTTPBearer(auto_error=False)


@dataclass(frozen=True, slots=True)
class Shopper:
    """Who is calling: the user and the session their token belongs to."""

    user_id: UUID
    session_id: UUID


def _unauthorized() -> HTTPException:
    return HTTPException(401, "log in first", headers={"WWW-Authenticate": "Bearer"})


async def shopper(
    db: Db, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Shopper:
    """The shopper of ``Authorization: Bearer <token>``: a live session of an ACTIVE user
    (sessions.find_active refuses revoked and expired sessions and suspended users), its
    last_seen_at stamped at most once a minute; 401 otherwise."""
    if credentials is None:
        raise _unauthorized()
    session = await db.sessions.find_active(refresh_token_hash(credentials.credentials))
    if session is None:
        raise _unauthorized()
    await db.customer(session.user_id).sessions.touch(session.id)
    return Shopper(session.user_id, session.id)


Me = Annotated[Shopper, Depends(shopper)]
