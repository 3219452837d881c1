"""The async API's speed (issue 18, point 4), side by side in one run:

(a) ``await db.users.get(id)`` on AsyncDatabase against asyncpg on one connection with the
    statement prepared, the same pydantic mapping (``User.model_validate(dict(record))``),
    on asyncio's default event loop and on uvloop. Goal: at most 1.25x asyncpg per call.
    A third path, plain psycopg async on one connection (prepared, one kept dict-row
    cursor, the same mapping), says how much of the gap is the driver and how much
    shopdb's layers (the runner, the pool checkout, the timer, the mapping).
(b) 64 tasks at once: the calls per second of AsyncDatabase against an asyncpg pool of the
    same size (DATABASE_POOL_MIN..DATABASE_POOL_MAX, 5..20 by default), the same mapping,
    on both loops. Goal: at least 0.8x. asyncpg's pool as it ships resets each connection
    it gets back (one more round trip); a third pool with ``reset=`` doing nothing is
    reported beside it.
(c) the sync API's ``db.users.get`` against the same call of the code before the async
    conversion (its src in SHOPDB_BASELINE_SRC; skipped without it): "no slower" (<= 1.03x,
    benchmarks/test_revisions.py's bound).

Method (docs/performance.md, "Async"): every figure is paired. In (a) a round runs BLOCK
calls of one path then BLOCK of the other, the order alternating from round to round, on
the same loop and the session's same sampled users (conftest.py: SEED_USERS seeded, the
1,000 sampled ids in turn); every call is timed on its own inside the loop, around the
``await`` only. The figure is the median over the rounds of each round's ratio of medians
(the ratio of the two paths' overall medians is printed beside it). In (b) a round is one
burst of each path, the order alternating; the figure is the median of the per-round
ratios of calls per second. In (c) the two versions run in processes of their own
(benchmarks/revision_worker.py), in alternating rounds of LOOKUP_CALLS calls.

pytest-benchmark times each round as a whole (both paths: not a figure of either);
the goals are judged on the figures above, printed under "issue 18 async speed goals"
after the run and stored in each benchmark's ``extra_info``.

    .venv/bin/python -m pytest benchmarks/test_async_speed.py --benchmark-only -s
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median
from time import perf_counter
from typing import Any
from uuid import UUID

import asyncpg  # type: ignore[import-untyped]
import psycopg
import pytest
import uvloop
from psycopg.rows import dict_row
from pytest_benchmark.fixture import BenchmarkFixture

from benchmarks.conftest import Sample
from benchmarks.test_revisions import CURRENT, NO_SLOWER, Paired, Worker, _in_turns, loadavg
from benchmarks.test_speed import numbered
from shopdb import AsyncDatabase, Settings
from shopdb.core.queries import load_queries
from shopdb.models.users import User

GET = load_queries()["users"]["get"]
LOOPS: dict[str, Callable[[], asyncio.AbstractEventLoop]] = {
    "asyncio": asyncio.new_event_loop,
    "uvloop": uvloop.new_event_loop,
}
CALL_ROUNDS = int(os.environ.get("SHOPDB_BENCH_ASYNC_ROUNDS", "150"))
BLOCK = 20
TASKS = 64
CALLS_PER_TASK = 40
BURST_ROUNDS = 12
WARMUP_CALLS = 200
LOOKUP_ROUNDS = 20
LOOKUP_CALLS = 2_000
PER_CALL_GOAL = 1.25
SHOPDB, ASYNCPG, PSYCOPG = "AsyncDatabase", "asyncpg", "psycopg"
NO_RESET = "asyncpg, no reset"
TASKS_GOAL = 0.8
BASELINE = os.environ.get("SHOPDB_BASELINE_SRC", "")
ASYNC_SUMMARY: list[str] = []

Call = Callable[[UUID], Awaitable[User | None]]
pytestmark = pytest.mark.timeout(1800)  # minutes on a loaded machine, not the suite's 120 s


# (c) first: it runs before the loops' fixtures open their pools (AsyncDatabase, two asyncpg
# pools and two connections per loop), so the two worker processes' pools never add to
# theirs on a server other sessions share (max_connections).
@pytest.mark.benchmark(group="sync users.get before and after the async conversion")
@pytest.mark.skipif(not BASELINE, reason="SHOPDB_BASELINE_SRC (the src before) is not set")
def test_the_sync_api_is_no_slower_than_before(
    benchmark: BenchmarkFixture, bench_url: str, sample: Sample
) -> None:
    workers = {"before": Worker("before", Path(BASELINE)), "after": Worker("after", CURRENT)}
    ids = [str(i) for i in sample.ids]
    try:
        for worker in workers.values():
            found = Path(worker.ask("open", users_url=bench_url, commerce_url=bench_url)["shopdb"])
            assert found.resolve().is_relative_to(worker.src), (worker.name, found)
        for _ in range(2):  # past the prepare threshold on every pooled connection
            for worker in workers.values():
                assert worker.ask("lookups", ids=ids, calls=LOOKUP_CALLS)["found"] == LOOKUP_CALLS
        load_before = loadavg()
        seconds: dict[str, list[float]] = {"before": [], "after": []}
        turns = _in_turns(LOOKUP_ROUNDS)

        def one_round() -> None:
            for name in next(turns):
                answer = workers[name].ask("lookups", ids=ids, calls=LOOKUP_CALLS)
                assert answer["found"] == LOOKUP_CALLS
                seconds[name].append(answer["seconds"] / LOOKUP_CALLS)

        benchmark.pedantic(one_round, rounds=LOOKUP_ROUNDS)  # type: ignore[no-untyped-call]
    finally:
        for worker in workers.values():
            worker.close()
    paired = Paired(seconds["before"], seconds["after"])
    before_s, after_s = median(paired.before), median(paired.after)
    benchmark.extra_info.update(
        before_us=round(before_s * 1e6, 2),
        after_us=round(after_s * 1e6, 2),
        ratio=round(paired.ratio, 3),
        goal=NO_SLOWER,
        baseline=BASELINE,
    )
    ASYNC_SUMMARY.append(
        f"(c) sync users.get: before {before_s * 1e6:.1f} us, after {after_s * 1e6:.1f} us; "
        f"median of {LOOKUP_ROUNDS} round ratios after/before {paired.ratio:.3f}x "
        f"({paired.spread()}; goal <= {NO_SLOWER}x) {paired.verdict()}; load average "
        f"{load_before} at the start, {loadavg()} at the end"
    )


@dataclass
class OnLoop:
    """One event loop of the given kind, with an open AsyncDatabase (default pool settings,
    as the sync benchmarks' Database), one asyncpg connection with the lookup prepared, and
    an asyncpg pool of the AsyncDatabase's sizes."""

    kind: str
    runner: asyncio.Runner
    db: AsyncDatabase
    conn: Any
    statement: Any
    pool: Any
    pool_no_reset: Any
    psycopg_conn: psycopg.AsyncConnection[Any]
    psycopg_cursor: psycopg.AsyncCursor[dict[str, Any]]
    handout: str = field(default="")

    def run(self, work: Awaitable[Any]) -> Any:
        """Run ``work`` to its end on this loop."""

        async def until_done() -> Any:
            return await work

        return self.runner.run(until_done())

    async def asyncpg_get(self, user_id: UUID) -> User | None:
        """The prepared statement on the one connection, the same mapping."""
        record = await self.statement.fetchrow(user_id)
        return None if record is None else User.model_validate(dict(record))

    async def psycopg_get(self, user_id: UUID) -> User | None:
        """Plain psycopg async on one autocommit connection, the statement prepared, one
        kept dict-row cursor, the same mapping: what the driver itself costs."""
        cursor = self.psycopg_cursor
        await cursor.execute(GET.sql, {"id": user_id}, prepare=True)
        row = await cursor.fetchone()
        return None if row is None else User.model_validate(row)

    async def asyncpg_pool_get(self, user_id: UUID) -> User | None:
        """A pooled asyncpg connection (its statement cache prepares the query), the mapping.
        asyncpg's pool as it ships: each release sends its reset query (advisory unlock,
        CLOSE ALL, UNLISTEN *, RESET ALL), a second round trip per call."""
        record = await self.pool.fetchrow(self.statement.get_query(), user_id)
        return None if record is None else User.model_validate(dict(record))

    async def asyncpg_pool_no_reset_get(self, user_id: UUID) -> User | None:
        """The same on an asyncpg pool whose release resets nothing (``reset=``)."""
        record = await self.pool_no_reset.fetchrow(self.statement.get_query(), user_id)
        return None if record is None else User.model_validate(dict(record))


async def _open(kind: str, url: str) -> OnLoop:
    settings = Settings(
        database_url=url,
        database_application_name=f"shopdb-bench-async-{kind}",
        cursor_secret="bench-cursor-secret-0123456789abcdef",
    )
    db = AsyncDatabase(settings)
    await db.open()
    conn = await asyncpg.connect(url)
    statement = await conn.prepare(numbered(GET))
    pool = await asyncpg.create_pool(
        url, min_size=settings.database_pool_min, max_size=settings.database_pool_max
    )
    no_reset = await asyncpg.create_pool(
        url,
        min_size=settings.database_pool_min,
        max_size=settings.database_pool_max,
        reset=_reset_nothing,
    )
    plain = await psycopg.AsyncConnection.connect(url, autocommit=True)
    cursor = plain.cursor(row_factory=dict_row)
    runner: asyncio.Runner = _RUNNERS[kind]
    handout = str(getattr(db.pool, "handout", "psycopg_pool"))
    return OnLoop(kind, runner, db, conn, statement, pool, no_reset, plain, cursor, handout)


async def _reset_nothing(conn: Any) -> None:
    """asyncpg's pool ``reset`` hook that sends nothing on release."""


@pytest.fixture(scope="module", params=list(LOOPS))
def on_loop(request: pytest.FixtureRequest, bench_url: str, sample: Sample) -> Iterator[OnLoop]:
    kind: str = request.param
    runner = _RUNNERS[kind] = asyncio.Runner(loop_factory=LOOPS[kind])
    try:
        bench = runner.run(_open(kind, bench_url))
        try:
            yield bench
        finally:
            bench.run(bench.psycopg_conn.close())
            bench.run(bench.pool.close())
            bench.run(bench.pool_no_reset.close())
            bench.run(bench.conn.close())
            bench.run(bench.db.close())
    finally:
        runner.close()
        del _RUNNERS[kind]


_RUNNERS: dict[str, asyncio.Runner] = {}


def _timed(call: Call, times: list[float]) -> Callable[[UUID], Awaitable[User | None]]:
    """``call`` that appends the seconds of each await to ``times``."""

    async def timed(user_id: UUID) -> User | None:
        start = perf_counter()
        found = await call(user_id)
        times.append(perf_counter() - start)
        return found

    return timed


@dataclass(frozen=True, slots=True)
class PairedCalls:
    """Per-call seconds of each path, round by round."""

    rounds: list[dict[str, list[float]]]

    def round_ratio(self, one: str, other: str) -> float:
        """Median over the rounds of (median of ``one`` / median of ``other``)."""
        return median(median(r[one]) / median(r[other]) for r in self.rounds)

    def median(self, path: str) -> float:
        """The median over every call of ``path``."""
        return median(t for r in self.rounds for t in r[path])


def _verdict(ratio: float, goal: float, *, at_most: bool) -> str:
    held = ratio <= goal if at_most else ratio >= goal
    return "ok" if held else ("OVER GOAL" if at_most else "UNDER GOAL")


@pytest.mark.benchmark(group="async users.get per call")
def test_per_call_against_asyncpg_on_one_prepared_connection(
    benchmark: BenchmarkFixture, on_loop: OnLoop, sample: Sample
) -> None:
    ids = itertools.cycle(sample.ids)
    shopdb_get: Call = on_loop.db.users.get

    async def warm() -> None:
        for _ in range(WARMUP_CALLS):  # past prepare_threshold on every pooled connection
            await shopdb_get(next(ids))
            await on_loop.asyncpg_get(next(ids))

    on_loop.run(warm())
    paths: dict[str, Call] = {
        SHOPDB: shopdb_get,
        ASYNCPG: on_loop.asyncpg_get,
        PSYCOPG: on_loop.psycopg_get,
    }
    rounds: list[dict[str, list[float]]] = []

    async def one_round() -> None:
        times: dict[str, list[float]] = {name: [] for name in paths}
        names = list(paths)
        shift = len(rounds) % len(names)
        found = None
        for name in names[shift:] + names[:shift]:
            timed = _timed(paths[name], times[name])
            for _ in range(BLOCK):
                found = await timed(next(ids))
        assert isinstance(found, User)
        rounds.append(times)

    benchmark.pedantic(  # type: ignore[no-untyped-call]  # pytest-benchmark's own
        lambda: on_loop.run(one_round()), rounds=CALL_ROUNDS
    )
    paired = PairedCalls(rounds)
    shopdb_s, asyncpg_s, psycopg_s = (paired.median(name) for name in paths)
    ratio = paired.round_ratio(SHOPDB, ASYNCPG)
    driver = paired.round_ratio(PSYCOPG, ASYNCPG)
    layers = paired.round_ratio(SHOPDB, PSYCOPG)
    benchmark.extra_info.update(
        loop=on_loop.kind,
        shopdb_median_us=round(shopdb_s * 1e6, 2),
        asyncpg_median_us=round(asyncpg_s * 1e6, 2),
        psycopg_median_us=round(psycopg_s * 1e6, 2),
        ratio=round(ratio, 3),
        ratio_of_medians=round(shopdb_s / asyncpg_s, 3),
        psycopg_to_asyncpg=round(driver, 3),
        shopdb_to_psycopg=round(layers, 3),
        goal=PER_CALL_GOAL,
        pool_handout=on_loop.handout,
    )
    ASYNC_SUMMARY.append(
        f"(a) {on_loop.kind:7} per call: AsyncDatabase {shopdb_s * 1e6:6.1f} us, asyncpg "
        f"{asyncpg_s * 1e6:6.1f} us; median of {CALL_ROUNDS} round ratios {ratio:.3f}x "
        f"(ratio of medians {shopdb_s / asyncpg_s:.3f}x; goal <= {PER_CALL_GOAL}x) "
        f"{_verdict(ratio, PER_CALL_GOAL, at_most=True)}; plain psycopg async "
        f"{psycopg_s * 1e6:.1f} us: psycopg/asyncpg {driver:.3f}x, AsyncDatabase/psycopg "
        f"{layers:.3f}x (pool hand-out {on_loop.handout})"
    )


async def _burst(call: Call, ids: list[UUID]) -> float:
    """Seconds for TASKS tasks started together to make CALLS_PER_TASK calls each."""
    go = asyncio.Event()

    async def task(offset: int) -> int:
        await go.wait()
        found = 0
        for n in range(CALLS_PER_TASK):
            found += await call(ids[(offset + n) % len(ids)]) is not None
        return found

    tasks = [asyncio.create_task(task(i * 97)) for i in range(TASKS)]
    await asyncio.sleep(0)  # every task waits on the event
    began = perf_counter()
    go.set()
    found = await asyncio.gather(*tasks)
    elapsed = perf_counter() - began
    assert sum(found) == TASKS * CALLS_PER_TASK
    return elapsed


@pytest.mark.benchmark(group="async users.get, 64 tasks")
def test_sixty_four_tasks_against_an_asyncpg_pool_of_the_same_size(
    benchmark: BenchmarkFixture, on_loop: OnLoop, sample: Sample
) -> None:
    ids = sample.ids
    bursts: dict[str, Call] = {
        SHOPDB: on_loop.db.users.get,
        ASYNCPG: on_loop.asyncpg_pool_get,
        NO_RESET: on_loop.asyncpg_pool_no_reset_get,
    }
    for _ in range(2):  # every pool at its working size, every statement prepared
        for call in bursts.values():
            on_loop.run(_burst(call, ids))
    rounds: list[dict[str, float]] = []

    async def one_round() -> None:
        names = list(bursts)
        shift = len(rounds) % len(names)
        rounds.append(
            {name: await _burst(bursts[name], ids) for name in names[shift:] + names[:shift]}
        )

    benchmark.pedantic(  # type: ignore[no-untyped-call]  # pytest-benchmark's own
        lambda: on_loop.run(one_round()), rounds=BURST_ROUNDS
    )
    calls = TASKS * CALLS_PER_TASK
    # calls per second of AsyncDatabase over the other's: the other's seconds over its own
    ratio = median(r[ASYNCPG] / r[SHOPDB] for r in rounds)
    tuned = median(r[NO_RESET] / r[SHOPDB] for r in rounds)
    cps = {name: calls / median(r[name] for r in rounds) for name in bursts}
    benchmark.extra_info.update(
        loop=on_loop.kind,
        shopdb_calls_per_s=round(cps[SHOPDB]),
        asyncpg_pool_calls_per_s=round(cps[ASYNCPG]),
        asyncpg_pool_no_reset_calls_per_s=round(cps[NO_RESET]),
        ratio=round(ratio, 3),
        ratio_to_no_reset=round(tuned, 3),
        goal=TASKS_GOAL,
        pool_handout=on_loop.handout,
    )
    ASYNC_SUMMARY.append(
        f"(b) {on_loop.kind:7} {TASKS} tasks: AsyncDatabase {cps[SHOPDB]:,.0f} calls/s, asyncpg "
        f"pool {cps[ASYNCPG]:,.0f} calls/s; median of {BURST_ROUNDS} round ratios {ratio:.3f}x "
        f"(goal >= {TASKS_GOAL}x) {_verdict(ratio, TASKS_GOAL, at_most=False)}; asyncpg pool "
        f"without its reset query on release {cps[NO_RESET]:,.0f} calls/s: {tuned:.3f}x"
    )
