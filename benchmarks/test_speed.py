"""users.get three ways side by side in one run: shopdb, a hand-written lookup on a raw
psycopg_pool, and asyncpg on one prepared connection; then 8 threads, shopdb against the raw
pool. The goal of issue 8: shopdb <= 0.8x the raw pool and <= 1.5x asyncpg per call, and at
least the raw pool's calls per second with 8 threads.

Each round of the per-call benchmark runs the three paths once each, in a rotating order
(paired.measure_many), so all three see the same moment of this VM's drifting speed; the
figures are the medians over every call of each path. The throughput benchmark alternates
8-thread rounds of shopdb and of the raw pool the same way.

- raw pool: a psycopg_pool.ConnectionPool of its own, with shopdb's connection options
  (autocommit, prepare_threshold 5, 5 to 20 connections); ``with pool.connection() as conn,
  conn.cursor(row_factory=dict_row) as cur``, the named query's own SQL text, then
  ``User.model_validate(row)``: what a careful hand-written lookup does.
- asyncpg: one connection, the statement prepared once (``conn.prepare``), ``fetchrow`` then
  ``User.model_validate(dict(record))``; each call is timed inside the event loop, so the
  loop's own overhead is not counted against asyncpg.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import threading
from collections.abc import Callable, Iterator
from statistics import median
from time import perf_counter
from typing import Any
from uuid import UUID

import asyncpg  # type: ignore[import-untyped]
import pytest
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool
from pytest_benchmark.fixture import BenchmarkFixture

from benchmarks.conftest import Sample
from benchmarks.paired import Path, measure_many
from shopdb import Database
from shopdb.core.queries import Query, load_queries
from shopdb.models.users import User

GET = load_queries()["users"]["get"]
CALL_ROUNDS = 6_000
BLOCK = 20
THREADS = 8
CALLS_PER_THREAD = 400
THREAD_ROUNDS = 8
TARGETS = {"raw pool": 0.8, "asyncpg": 1.5}
SUMMARY: list[str] = []


@pytest.fixture(scope="module")
def raw_pool(db: Database) -> Iterator[ConnectionPool[Any]]:
    s = db.settings
    pool: ConnectionPool[Any] = ConnectionPool(
        s.conninfo,
        min_size=s.database_pool_min,
        max_size=s.database_pool_max,
        kwargs={"autocommit": True, "prepare_threshold": s.database_prepare_threshold},
        name="raw-bench",
        open=True,
    )
    pool.wait()
    yield pool
    pool.close()


def _timed_rounds(benchmark: BenchmarkFixture) -> list[float]:
    stats = benchmark.stats
    assert stats is not None
    data: list[float] = stats.stats.data
    return data


def raw_get(pool: ConnectionPool[Any], user_id: UUID) -> User | None:
    """The hand-written lookup: a pooled connection, a dict-row cursor, the model."""
    with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        cur.execute(GET.sql, {"id": user_id})
        row = cur.fetchone()
    return None if row is None else User.model_validate(row)


def numbered(query: Query) -> str:
    """The query's SQL with ``%(name)s`` placeholders numbered ``$1, $2...`` for asyncpg."""
    names: list[str] = []

    def number(match: re.Match[str]) -> str:
        if match[1] not in names:
            names.append(match[1])
        return f"${names.index(match[1]) + 1}"

    return re.sub(r"%\((\w+)\)s", number, query.sql)


class AsyncpgPath:
    """asyncpg on one connection with the statement prepared; calls timed in the loop."""

    def __init__(self, url: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.conn = self.loop.run_until_complete(asyncpg.connect(url))
        self.statement = self.loop.run_until_complete(self.conn.prepare(numbered(GET)))
        self.last: User | None = None

    async def _timed(self, user_id: UUID) -> float:
        start = perf_counter()
        record = await self.statement.fetchrow(user_id)
        self.last = None if record is None else User.model_validate(dict(record))
        return perf_counter() - start

    def call(self, user_id: UUID) -> float:
        """One lookup; returns its own duration (measured inside the event loop)."""
        return self.loop.run_until_complete(self._timed(user_id))

    def close(self) -> None:
        self.loop.run_until_complete(self.conn.close())
        self.loop.close()


@pytest.mark.benchmark(group="users.get three ways")
def test_get_shopdb_raw_pool_and_asyncpg_side_by_side(
    benchmark: BenchmarkFixture,
    db: Database,
    raw_pool: ConnectionPool[Any],
    bench_url: str,
    sample: Sample,
) -> None:
    ids = itertools.cycle(sample.ids)
    fast = AsyncpgPath(bench_url)
    try:
        shopdb = Path("shopdb", db.users.get, ids.__next__)
        others = [
            Path("raw pool", lambda user_id: raw_get(raw_pool, user_id), ids.__next__),
            Path("asyncpg", fast.call, ids.__next__, self_timed=True),
        ]
        found, times = measure_many(
            benchmark, shopdb, others, rounds=CALL_ROUNDS // BLOCK, block=BLOCK
        )
        assert isinstance(found, User) and isinstance(fast.last, User)
        assert fast.last == db.users.get(fast.last.id)
    finally:
        fast.close()
    shopdb_s = median(times["shopdb"])
    lines = [
        f"users.get  shopdb    {shopdb_s * 1e6:6.1f} us per call (median of {CALL_ROUNDS} calls "
        f"of each path, in turns of {BLOCK}; pool hand-out {db.pool.handout})"
    ]
    for name, target in TARGETS.items():
        other_s = median(times[name])
        ratio = shopdb_s / other_s
        verdict = "ok" if ratio <= target else "OVER TARGET"
        lines.append(
            f"users.get  {name:9} {other_s * 1e6:6.1f} us   shopdb/{name} {ratio:.3f}x "
            f"(target <= {target}x) {verdict}"
        )
        benchmark.extra_info[f"{name}_median_us"] = round(other_s * 1e6, 2)
        benchmark.extra_info[f"ratio_to_{name}"] = round(ratio, 3)
    benchmark.extra_info["shopdb_median_us"] = round(shopdb_s * 1e6, 2)
    benchmark.extra_info["pool_handout"] = db.pool.handout
    SUMMARY.extend(lines)


def _threaded_round(call: Callable[[UUID], object], ids: list[UUID]) -> float:
    """Seconds for THREADS threads to make CALLS_PER_THREAD calls each, started together."""
    start = threading.Barrier(THREADS + 1)

    def work(offset: int) -> None:
        mine = itertools.islice(itertools.cycle(ids), offset, offset + CALLS_PER_THREAD)
        start.wait()
        for user_id in mine:
            call(user_id)

    threads = [threading.Thread(target=work, args=(i * 97,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    start.wait()
    began = perf_counter()
    for thread in threads:
        thread.join()
    return perf_counter() - began


@pytest.mark.benchmark(group="users.get, 8 threads")
def test_get_with_eight_threads_shopdb_against_the_raw_pool(
    benchmark: BenchmarkFixture, db: Database, raw_pool: ConnectionPool[Any], sample: Sample
) -> None:
    ids = sample.ids
    raw_rounds: list[float] = []

    def raw_round() -> tuple[tuple[Any, ...], dict[str, Any]]:
        raw_rounds.append(_threaded_round(lambda user_id: raw_get(raw_pool, user_id), ids))
        return (), {}

    for _ in range(2):  # warm both pools to their working size
        _threaded_round(db.users.get, ids)
        raw_round()
    raw_rounds.clear()
    benchmark.pedantic(  # type: ignore[no-untyped-call]
        lambda: _threaded_round(db.users.get, ids), setup=raw_round, rounds=THREAD_ROUNDS
    )
    calls = THREADS * CALLS_PER_THREAD
    shopdb_cps = calls / median(_timed_rounds(benchmark))
    raw_cps = calls / median(raw_rounds)
    ratio = shopdb_cps / raw_cps
    verdict = "ok" if ratio >= 1.0 else "UNDER TARGET"
    benchmark.extra_info.update(
        shopdb_calls_per_s=round(shopdb_cps),
        raw_pool_calls_per_s=round(raw_cps),
        ratio=ratio,
        pool_handout=db.pool.handout,
    )
    SUMMARY.append(
        f"users.get  {THREADS} threads: shopdb {shopdb_cps:,.0f} calls/s, raw pool "
        f"{raw_cps:,.0f} calls/s, shopdb/raw {ratio:.3f}x (target >= 1.0x) {verdict} "
        f"(pool hand-out {db.pool.handout})"
    )
