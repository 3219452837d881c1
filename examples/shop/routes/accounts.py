"""Register, log in (a session), log out, who am I, the address book."""

from __future__ import annotations

import asyncio
from ipaddress import ip_address

from fastapi import APIRouter, Request, Response
from pydantic import SecretStr

from examples.shop import passwords
from examples.shop.dependencies import Db, Me
from examples.shop.schemas import Login, Registration, SessionOut
from shopdb.models import Address, NewAddress, NewSession, NewUser, User

router = APIRouter(tags=["accounts"])


@router.post("/accounts", status_code=201)
async def register(body: Registration, db: Db) -> User:
    """A new customer; 409 when the email is taken, 422 when shopdb refuses a field."""
    hashed = await asyncio.to_thread(passwords.hash_password, body.password.get_secret_value())
    new = NewUser(
        email=body.email,
        password_hash=SecretStr(hashed),
        first_name=body.first_name,
        last_name=body.last_name,
    )
    return await db.users.create(new)


@router.post("/sessions", status_code=201)
async def log_in(body: Login, request: Request, db: Db) -> SessionOut:
    """A session for a right email and password; 401 otherwise, 423 while locked out.

    The password hash is compared in a worker thread (scrypt takes tens of milliseconds:
    not in the event loop); ``users.authenticate`` then applies the library's rules: the
    lockout, the failure count, the login recorded. The same hash it reads again must be
    the one compared, so a password changed in between does not let the old one in."""
    found = await db.users.get_credentials(body.email)
    stored = found.password_hash if found is not None else None
    ok = await asyncio.to_thread(passwords.matches, stored, body.password.get_secret_value())
    user = await db.users.authenticate(body.email, lambda current: ok and current == stored)
    created = await db.sessions.create(
        NewSession(
            user_id=user.id,
            ip_address=_client_ip(request),
            user_agent=(request.headers.get("user-agent") or "")[:1000] or None,
        )
    )
    return SessionOut(
        session_id=created.session.id,
        token=created.refresh_token.get_secret_value(),
        expires_at=created.session.expires_at,
    )


def _client_ip(request: Request) -> str | None:
    host = request.client.host if request.client else None
    try:
        return str(ip_address(host)) if host else None
    except ValueError:
        return None


@router.delete("/sessions/current", status_code=204)
async def log_out(me: Me, db: Db) -> Response:
    """End the caller's session: its token is refused from now on."""
    await db.customer(me.user_id).sessions.revoke(me.session_id)
    return Response(status_code=204)


@router.get("/me")
async def who_am_i(me: Me, db: Db) -> User:
    """The logged-in user."""
    return await db.users.get(me.user_id)


@router.post("/addresses", status_code=201)
async def add_address(body: NewAddress, me: Me, db: Db) -> Address:
    """An address in the caller's book."""
    return await db.customer(me.user_id).addresses.create(body)


@router.get("/addresses")
async def my_addresses(me: Me, db: Db) -> list[Address]:
    """The caller's addresses, the default first."""
    return await db.customer(me.user_id).addresses.list_for_user()
