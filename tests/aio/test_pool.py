"""The AsyncShopPool and the async runner: the psycopg_pool internals it was written for
(with the fallback and its warning), and what a killed backend does to a call: an idle one is
never seen, a read killed mid-statement runs again on a live connection, a write killed
mid-statement is WriteOutcomeUnknown."""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from time import monotonic
from typing import Any

import psycopg
import pytest
from psycopg_pool import AsyncConnectionPool

from shopdb import AsyncDatabase, Settings, WriteOutcomeUnknown
from shopdb.core import pool_async
from shopdb.core.pool_async import ASYNC_UPSTREAM, PoolFallbackWarning, fingerprint
from shopdb.models import User
from shopdb.testing import with_settings
from tests.support.chaos import kill_backends
from tests.support.factories import new_user

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("method", sorted(ASYNC_UPSTREAM))
def test_the_async_pool_methods_replaced_are_the_ones_it_was_written_for(method: str) -> None:
    source = inspect.getsource(getattr(AsyncConnectionPool, method))
    assert hashlib.sha256(source.encode()).hexdigest()[:16] == ASYNC_UPSTREAM[method], (
        f"AsyncConnectionPool.{method} changed: review AsyncShopPool "
        "(src/shopdb/core/pool_async.py) against it, then update ASYNC_UPSTREAM"
    )
    assert fingerprint()[method] == ASYNC_UPSTREAM[method]


async def test_on_a_changed_psycopg_pool_the_async_pool_falls_back_warning_once(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(ASYNC_UPSTREAM, "_get_ready_connection", "0" * 16)
    three = with_settings(settings, database_pool_min=3, database_pool_max=3)
    adb = AsyncDatabase(three)
    with pytest.warns(PoolFallbackWarning, match=r"\(_get_ready_connection\)") as warned:
        await adb.open()
    try:
        pool = adb.pool
        with warnings.catch_warnings():
            warnings.simplefilter("error", PoolFallbackWarning)
            first = [await pool.getconn() for _ in range(3)]
            assert pool.checked_out == 3
            for conn in first:
                await pool.putconn(conn)
            again = [await pool.getconn() for _ in range(3)]
            for conn in again:
                await pool.putconn(conn)
            assert (await adb.health()).ok
    finally:
        await adb.close()

    assert pool.handout == "psycopg_pool" and len(warned) == 1
    assert again == first  # psycopg_pool's deque: the longest idle first
    assert pool.checked_out == 0


async def test_a_missing_private_attribute_makes_the_async_pool_fall_back_too(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, user: User
) -> None:
    monkeypatch.setattr(
        pool_async, "PRIVATE_STATE", (*pool_async.PRIVATE_STATE, "_renamed_upstream")
    )
    adb = AsyncDatabase(settings)
    with pytest.warns(PoolFallbackWarning, match=r"\(_renamed_upstream\)"):
        await adb.open()
    try:
        assert await adb.users.get(user.id) == user
    finally:
        await adb.close()
    assert adb.pool.handout == "psycopg_pool" and adb.pool.checked_out == 0


async def killed(admin: psycopg.Connection[Any], name: str) -> None:
    """Every backend of the pool terminated, and gone (its FATAL message sent). The pool may
    open new ones meanwhile: the wait is for the killed pids only."""
    pids = [
        row[0]
        for row in admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s", [name]
        ).fetchall()
    ]
    assert pids and kill_backends(admin, name) >= 1
    deadline = monotonic() + 10
    query = "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)"
    while (admin.execute(query, [pids]).fetchone() or (0,))[0]:
        assert monotonic() < deadline, "the killed backends did not go"
        await asyncio.sleep(0.01)


async def test_idle_connections_killed_by_the_server_are_never_seen_by_a_call(
    adb: AsyncDatabase, admin: psycopg.Connection[Any], user: User
) -> None:
    name = adb.settings.database_application_name
    await adb.pool.wait()
    await killed(admin, name)
    assert await adb.users.get(user.id) == user

    await killed(admin, name)
    async with adb.transaction() as tx:
        assert await tx.users.get(user.id) == user

    await killed(admin, name)
    created = await adb.users.create(new_user())  # a write: its dead socket is seen first
    assert await adb.users.get(created.id) == created


@contextmanager
def users_locked(db_url: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(db_url) as locker:
        locker.execute("LOCK TABLE users IN ACCESS EXCLUSIVE MODE")
        yield locker
        locker.rollback()


async def waiting_backend(admin: psycopg.Connection[Any], name: str, other_than: int = 0) -> int:
    """The pid of the pool's backend waiting on a lock (another than ``other_than``)."""
    deadline = monotonic() + 10
    while True:
        row = admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s "
            "AND wait_event_type = 'Lock' AND pid <> %s",
            [name, other_than],
        ).fetchone()
        if row is not None:
            return int(row[0])
        assert monotonic() < deadline, "no statement waited on the lock"
        await asyncio.sleep(0.01)


async def test_a_read_killed_mid_statement_runs_again_on_a_live_connection(
    adb: AsyncDatabase, admin: psycopg.Connection[Any], db_url: str, user: User
) -> None:
    name = adb.settings.database_application_name
    with users_locked(db_url) as locker:
        read = asyncio.create_task(adb.users.get(user.id))
        pid = await waiting_backend(admin, name)
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        await waiting_backend(admin, name, other_than=pid)  # the retry waits on the lock too
        locker.rollback()

    assert await read == user
    assert adb.pool.checked_out == 0


async def test_a_write_killed_mid_statement_is_write_outcome_unknown(
    adb: AsyncDatabase, admin: psycopg.Connection[Any], db_url: str, user: User
) -> None:
    with users_locked(db_url):
        write = asyncio.create_task(adb.users.verify_email(user.id))
        pid = await waiting_backend(admin, adb.settings.database_application_name)
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        with pytest.raises(WriteOutcomeUnknown):
            await write

    assert adb.pool.checked_out == 0
    assert (await adb.users.get(user.id)).email_verified_at is None
