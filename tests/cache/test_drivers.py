"""The two drivers of one flow: the same scenarios run against the blocking driver over
``redis.Redis`` (threads) and the asyncio driver over ``redis.asyncio.Redis`` (tasks), each
filling from the test's PostgreSQL database with its own psycopg connection kind."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID

import psycopg
import pytest

from shopdb import Settings
from shopdb.cache import aio, sync
from shopdb.cache.spec import CachedRead, Invalidations
from shopdb.testing import with_settings
from shopdb.testing.redis_server import RedisServer
from tests.repositories.fixture_products import insert_product

SPEC = CachedRead(Decimal, ("get",), ("product_id",), {"product": "product_id"}, 60, 600)
HANG = 2.0


class Harness(Protocol):
    fills: list[int]

    def read(self, pid: UUID) -> Decimal: ...
    def many(self, pid: UUID, n: int) -> list[Decimal]: ...
    def bump(self, pid: UUID) -> None: ...
    def read_with_bump_inside_fill(self, pid: UUID, between: Callable[[], None]) -> Decimal: ...
    def breaker_state(self) -> int: ...
    def close(self) -> None: ...


PRICE = "SELECT price FROM products WHERE id = %s"


class SyncHarness:
    def __init__(self, settings: Settings, url: str) -> None:
        self.cache = sync.SyncCache(
            sync.client(settings), settings, "sync-test", Invalidations(), dict
        )
        self.url = url
        self.fills: list[int] = []

    def _fill(self, pid: UUID, between: Callable[[], None] | None = None) -> Decimal:
        self.fills.append(1)
        with psycopg.connect(self.url) as conn:
            row = conn.execute(PRICE, [pid]).fetchone()
        assert row is not None
        if between is not None:
            between()
        time.sleep(0.05)  # a fill that takes a while: callers pile up behind it
        return Decimal(row[0])

    def read(self, pid: UUID) -> Decimal:
        value: Decimal = self.cache.read(
            "t.price", SPEC, {"product_id": pid}, lambda: self._fill(pid)
        )
        return value

    def many(self, pid: UUID, n: int) -> list[Decimal]:
        found: list[Decimal] = []
        start = threading.Barrier(n)

        def one() -> None:
            start.wait()
            found.append(self.read(pid))

        threads = [threading.Thread(target=one) for _ in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        return found

    def bump(self, pid: UUID) -> None:
        self.cache.invalidate({("product", pid)})

    def read_with_bump_inside_fill(self, pid: UUID, between: Callable[[], None]) -> Decimal:
        value: Decimal = self.cache.read(
            "t.price", SPEC, {"product_id": pid}, lambda: self._fill(pid, between)
        )
        return value

    def breaker_state(self) -> int:
        return int(self.cache.breaker.state)

    def close(self) -> None:
        self.cache.close()


class AsyncHarness:
    def __init__(self, settings: Settings, url: str) -> None:
        self.loop = asyncio.new_event_loop()

        async def resolve(ids: list[Any]) -> dict[Any, Any]:
            return {}

        self.cache = aio.AsyncCache(
            aio.client(settings), settings, "async-test", Invalidations(), resolve
        )
        self.url = url
        self.fills: list[int] = []

    async def _fill(self, pid: UUID, between: Callable[[], None] | None = None) -> Decimal:
        self.fills.append(1)
        async with await psycopg.AsyncConnection.connect(self.url) as conn:
            cursor = await conn.execute(PRICE, [pid])
            row = await cursor.fetchone()
        assert row is not None
        if between is not None:
            await asyncio.to_thread(between)
        await asyncio.sleep(0.05)
        return Decimal(row[0])

    async def _read(self, pid: UUID, between: Callable[[], None] | None = None) -> Decimal:
        value: Decimal = await self.cache.read(
            "t.price", SPEC, {"product_id": pid}, lambda: self._fill(pid, between)
        )
        return value

    def read(self, pid: UUID) -> Decimal:
        return self.loop.run_until_complete(self._read(pid))

    def many(self, pid: UUID, n: int) -> list[Decimal]:
        async def all_at_once() -> list[Decimal]:
            return list(await asyncio.gather(*(self._read(pid) for _ in range(n))))

        return self.loop.run_until_complete(all_at_once())

    def bump(self, pid: UUID) -> None:
        self.loop.run_until_complete(self.cache.invalidate({("product", pid)}))

    def read_with_bump_inside_fill(self, pid: UUID, between: Callable[[], None]) -> Decimal:
        return self.loop.run_until_complete(self._read(pid, between))

    def breaker_state(self) -> int:
        return int(self.cache.breaker.state)

    def close(self) -> None:
        self.loop.run_until_complete(self.cache.close())
        self.loop.close()


@pytest.fixture(params=["sync", "async"])
def harness(
    request: pytest.FixtureRequest, settings: Settings, redis_srv: RedisServer, raw_redis: Any
) -> Iterator[Harness]:
    cached = with_settings(
        settings, redis_url=redis_srv.url, cache_timeout_ms=500, cache_breaker_cooldown_ms=300
    )
    url = settings.conninfo
    made: Harness = (
        SyncHarness(cached, url) if request.param == "sync" else AsyncHarness(cached, url)
    )
    yield made
    made.close()


def product(url: str, price: str = "10.00") -> UUID:
    with psycopg.connect(url) as conn:
        return insert_product(conn, price=price)


def reprice(url: str, pid: UUID, price: str) -> None:
    with psycopg.connect(url) as conn:
        conn.execute("UPDATE products SET price = %s WHERE id = %s", [price, pid])


def test_a_miss_fills_once_and_the_next_read_hits(harness: Harness, settings: Settings) -> None:
    pid = product(settings.conninfo)
    assert harness.read(pid) == Decimal("10.00")
    assert harness.read(pid) == Decimal("10.00")
    assert len(harness.fills) == 1


def test_fifty_callers_on_a_cold_key_share_one_fill(harness: Harness, settings: Settings) -> None:
    pid = product(settings.conninfo)
    assert harness.many(pid, 50) == [Decimal("10.00")] * 50
    assert len(harness.fills) == 1


def test_a_bump_during_a_fill_keeps_its_old_value_out_of_redis(
    harness: Harness, settings: Settings
) -> None:
    url = settings.conninfo
    pid = product(url)

    def write_and_bump() -> None:  # a write that commits and bumps while the fill is slow
        reprice(url, pid, "11.00")
        harness.bump(pid) if isinstance(harness, SyncHarness) else _bump_from_thread(harness, pid)

    assert harness.read_with_bump_inside_fill(pid, write_and_bump) == Decimal("10.00")
    assert harness.read(pid) == Decimal("11.00")  # the old fill was refused: a new one
    assert len(harness.fills) == 2


def _bump_from_thread(harness: Harness, pid: UUID) -> None:
    """The async harness's bump, from the worker thread of ``asyncio.to_thread``: on a client
    of its own (the loop is busy awaiting this very thread)."""
    import redis

    assert isinstance(harness, AsyncHarness)
    client = redis.Redis.from_url(harness.cache.settings.redis_url.get_secret_value())  # type: ignore[union-attr]
    key = harness.cache.keys.tag("product", pid)
    client.set(key, "moved")
    client.close()


def test_a_paused_redis_costs_a_timeout_not_an_error(
    harness: Harness, settings: Settings, redis_srv: RedisServer
) -> None:
    pid = product(settings.conninfo)
    harness.read(pid)
    redis_srv.pause()
    try:
        took = []
        for _ in range(4):
            began = time.perf_counter()
            assert harness.read(pid) == Decimal("10.00")
            took.append(time.perf_counter() - began)
        assert harness.breaker_state() == 2
    finally:
        redis_srv.resume()
    assert max(took) < HANG
