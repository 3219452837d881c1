"""Chaos on the async API: 64 tasks read and write while the server terminates every backend
of the pool every 100-300 ms. A read whose run overlaps no kill never fails; every write that
returned is there afterwards (a write whose connection broke under it may raise
WriteOutcomeUnknown: nothing can tell whether the server applied it)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Sequence
from time import monotonic
from typing import Any
from uuid import UUID

import psycopg
import pytest

from shopdb import AsyncDatabase, Database, Settings, ShopDBError
from shopdb.models import User
from shopdb.testing import with_settings
from tests.support.chaos import kill_backends
from tests.support.factories import new_user

pytestmark = pytest.mark.anyio

Failure = tuple[float, float, str]


async def chaos(
    admin: psycopg.Connection[Any],
    application_name: str,
    workers: Sequence[Callable[[], Awaitable[object]]],
    *,
    duration_s: float,
    pause_s: tuple[float, float],
) -> tuple[list[tuple[float, float]], list[Failure], int]:
    """Run every worker in a loop as its own task while the backends are killed; the kill
    windows, the failures (start, end, error) and the number of calls."""
    stop = asyncio.Event()
    failed: list[Failure] = []
    calls = 0

    async def loop(work: Callable[[], Awaitable[object]]) -> None:
        nonlocal calls
        while not stop.is_set():
            begin = monotonic()
            try:
                await work()
            except ShopDBError as exc:
                failed.append((begin, monotonic(), f"{type(exc).__name__}: {exc}"))
            calls += 1

    tasks = [asyncio.create_task(loop(work)) for work in workers]
    windows: list[tuple[float, float]] = []
    pace = random.Random(18)
    deadline = monotonic() + duration_s
    try:
        while monotonic() < deadline:
            await asyncio.sleep(pace.uniform(*pause_s))
            begin = monotonic()
            await asyncio.to_thread(kill_backends, admin, application_name)
            windows.append((begin, monotonic()))
    finally:
        stop.set()
        await asyncio.gather(*tasks)
    return windows, failed, calls


async def test_sixty_four_tasks_under_chaos_lose_no_committed_write_and_no_clean_read(
    settings: Settings, db: Database, admin: psycopg.Connection[Any], user: User
) -> None:
    name = "chaos-async"
    chaotic = with_settings(
        settings,
        database_pool_min=8,
        database_pool_max=8,
        database_pool_timeout_ms=5000,
        database_application_name=name,
    )
    written: list[UUID] = []

    async with AsyncDatabase(chaotic) as adb:

        async def read() -> object:
            return await adb.users.get(user.id)

        async def write() -> object:
            created = await adb.users.create(new_user())
            written.append(created.id)
            return created

        async def begin_and_read() -> object:
            async with adb.transaction() as tx:
                return await tx.users.get(user.id)

        workers = [read] * 40 + [begin_and_read] * 16 + [write] * 8
        windows, failed, calls = await chaos(
            admin, name, workers, duration_s=2.0, pause_s=(0.1, 0.3)
        )
        assert adb.pool.checked_out == 0

    assert len(windows) >= 5 and calls > 10 * len(windows)
    unexplained = [
        message
        for begin, end, message in failed
        if not any(begin <= k_end and end >= k_begin for k_begin, k_end in windows)
        and not message.startswith("WriteOutcomeUnknown")
    ]
    assert unexplained == [], f"{len(unexplained)} of {len(failed)} failures overlap no kill"
    assert written, "no write got through"
    stored = admin.execute("SELECT id FROM users WHERE id = ANY(%s)", [written]).fetchall()
    assert {row[0] for row in stored} == set(written)
