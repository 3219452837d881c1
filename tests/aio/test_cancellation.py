"""A task cancelled mid-query or mid-transaction, or stopped by ``asyncio.timeout``, leaves no
connection checked out or mid-statement, and its transaction rolled back: psycopg cancels the
statement on the server before the CancelledError goes on, and shopdb's cleanup (ROLLBACK,
the connection back to the pool or closed) runs on the way out."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from time import monotonic
from typing import Any

import psycopg
import pytest

from shopdb import AsyncDatabase, Settings
from shopdb.models import User, UserPatch
from tests.support.factories import new_user

pytestmark = pytest.mark.anyio


@contextmanager
def row_locked(db_url: str, user: User) -> Iterator[None]:
    """The user's row locked by another connection for the block."""
    with psycopg.connect(db_url) as locker:
        locker.execute("SELECT 1 FROM users WHERE id = %s FOR UPDATE", [user.id])
        yield
        locker.rollback()


def busy_backends(admin: psycopg.Connection[Any], settings: Settings) -> list[tuple[str, bool]]:
    """The pool's backends that are not idle: (state, waiting on a lock)."""
    rows = admin.execute(
        "SELECT state, wait_event_type = 'Lock' FROM pg_stat_activity "
        "WHERE application_name = %s AND state <> 'idle'",
        [settings.database_application_name],
    ).fetchall()
    return [(str(state), bool(waiting)) for state, waiting in rows]


async def blocked_on_the_lock(admin: psycopg.Connection[Any], settings: Settings) -> None:
    deadline = monotonic() + 10
    while ("active", True) not in busy_backends(admin, settings):
        assert monotonic() < deadline, "the statement never waited on the lock"
        await asyncio.sleep(0.01)


async def stopped(
    adb: AsyncDatabase,
    admin: psycopg.Connection[Any],
    db_url: str,
    user: User,
    work: Callable[[], Coroutine[Any, Any, object]],
    how: str,
) -> None:
    """Run ``work`` while the user's row is locked; stop it, by ``task.cancel()`` or by
    ``asyncio.timeout``, once its statement waits on the lock."""
    with row_locked(db_url, user):
        if how == "cancel":
            task = asyncio.create_task(work())
            await blocked_on_the_lock(admin, adb.settings)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        else:

            async def timed() -> None:
                async with asyncio.timeout(0.5):
                    await work()

            with pytest.raises(TimeoutError):
                await timed()


@pytest.mark.parametrize("how", ["cancel", "timeout"])
async def test_a_call_stopped_mid_query_leaves_no_connection_busy_and_writes_nothing(
    adb: AsyncDatabase, admin: psycopg.Connection[Any], db_url: str, user: User, how: str
) -> None:
    await stopped(adb, admin, db_url, user, lambda: adb.users.verify_email(user.id), how)

    assert adb.pool.checked_out == 0
    assert busy_backends(admin, adb.settings) == []
    assert (await adb.users.get(user.id)).email_verified_at is None
    assert (await adb.users.verify_email(user.id)).email_verified_at is not None


@pytest.mark.parametrize("how", ["cancel", "timeout"])
async def test_a_transaction_stopped_mid_statement_is_rolled_back_and_its_connection_freed(
    adb: AsyncDatabase, admin: psycopg.Connection[Any], db_url: str, user: User, how: str
) -> None:
    other = await adb.users.create(new_user(first_name="Before"))

    async def rename_then_verify() -> None:
        async with adb.transaction() as tx:
            await tx.users.update(other.id, UserPatch(first_name="After"))
            await tx.users.verify_email(user.id)  # waits on the lock

    await stopped(adb, admin, db_url, user, rename_then_verify, how)

    assert adb.pool.checked_out == 0
    assert busy_backends(admin, adb.settings) == []  # no "idle in transaction" left
    assert (await adb.users.get(other.id)).first_name == "Before"
    async with adb.transaction() as tx:
        assert (
            await tx.users.update(other.id, UserPatch(first_name="Again"))
        ).first_name == "Again"


async def test_a_task_cancelled_while_waiting_for_a_connection_takes_none(
    adb: AsyncDatabase, user: User
) -> None:
    pool = adb.pool
    held = [await pool.getconn() for _ in range(pool.max_size)]
    waiting = asyncio.create_task(adb.users.get(user.id))
    await asyncio.sleep(0.05)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    for conn in held:
        await pool.putconn(conn)

    assert pool.checked_out == 0
    assert await adb.users.get(user.id) == user
