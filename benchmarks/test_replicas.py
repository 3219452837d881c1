"""Read replicas (issue 19, point 1) on a real streaming standby started for the run: what
read-your-writes costs, and how soon a lagging replica is skipped.

- read after write: a product created and read back at once, inside ``db.consistent()`` on
  a Database with a replica (the read waits until the replica has replayed the write) against
  the same on a Database without replicas (the read goes to the primary), alternated call by
  call (paired.py). The waits themselves and the share of reads the replica answered are in
  the benchmark's extra_info and printed.
- lag skip: replay paused, one write, then the time until the sampler marks the replica
  lagging (MAX_REPLICA_LAG_MS 1000, REPLICA_LAG_SAMPLE_MS 100); and after the resume, until
  it serves reads again.

    .venv/bin/python -m pytest benchmarks/test_replicas.py --benchmark-only -p no:cacheprovider -s
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from statistics import median
from typing import Any

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from benchmarks.paired import OTHER_ROUNDS, Path, measure
from shopdb import Database, Settings
from shopdb.testing.replication import (
    SECRETS,
    Node,
    counted,
    new_product,
    streaming_pair,
    wait_until,
)

ROUNDS = 300
MAX_LAG_MS, SAMPLE_MS, WAIT_MS = 1000, 100, 500


@pytest.fixture(scope="module")
def pair() -> Iterator[tuple[Node, Node]]:
    """A primary (its ``shop`` database migrated) and a streaming standby of it."""
    with streaming_pair() as nodes:
        yield nodes


def _settings(primary: Node, **more: Any) -> Settings:
    return Settings(
        database_url=primary.url(),
        database_pool_min=2,
        replica_lag_sample_ms=SAMPLE_MS,
        max_replica_lag_ms=MAX_LAG_MS,
        read_your_writes_wait_ms=WAIT_MS,
        **SECRETS,
        **more,
    )


@pytest.fixture(scope="module")
def routed(pair: tuple[Node, Node]) -> Iterator[Database]:
    primary, standby = pair
    with Database(_settings(primary, database_replica_urls=standby.url()), name="r") as db:
        assert db.replicas is not None
        wait_until(lambda: db.replicas is not None and db.replicas.replicas[0].state == "ok", 30)
        yield db


@pytest.fixture(scope="module")
def plain(pair: tuple[Node, Node]) -> Iterator[Database]:
    with Database(_settings(pair[0]), name="p") as db:
        yield db


@pytest.mark.benchmark(group="replicas read after write")
@pytest.mark.parametrize("path", ["consistent replica read", "primary read"])
def test_read_after_write(
    benchmark: BenchmarkFixture, routed: Database, plain: Database, path: str
) -> None:
    waits: list[float] = []

    def on_replica(_: None) -> None:
        with routed.consistent() as block:
            product = new_product(routed)
            assert routed.products.get(product.id).id == product.id
        waits.extend(block.waits)

    def on_primary(_: None) -> None:
        product = new_product(plain)
        assert plain.products.get(product.id).id == product.id

    paths = {
        "consistent replica read": Path("consistent replica read", on_replica, lambda: None),
        "primary read": Path("primary read", on_primary, lambda: None),
    }
    other = "primary read" if path == "consistent replica read" else "consistent replica read"
    served = counted("shopdb_replica_reads_total", pool="replica1")
    measure(benchmark, paths[path], paths[other], rounds=ROUNDS)
    served = counted("shopdb_replica_reads_total", pool="replica1") - served
    stats: Any = benchmark.stats
    mine = median(stats.stats.data)
    theirs = median(OTHER_ROUNDS[benchmark.fullname])
    replica, primary = (mine, theirs) if path == "consistent replica read" else (theirs, mine)
    ordered = sorted(waits)
    p95 = ordered[int(len(ordered) * 0.95)] if ordered else 0.0
    benchmark.extra_info.update(
        replica_answered=int(served),
        reads=len(waits),
        wait_median_ms=round(median(ordered) * 1000, 3) if ordered else None,
        wait_p95_ms=round(p95 * 1000, 3),
    )
    print(
        f"\nwrite + read: consistent() on the replica {replica * 1e3:.2f} ms, on the primary "
        f"{primary * 1e3:.2f} ms (x{replica / primary:.2f}); waits for replay: median "
        f"{median(ordered) * 1e3:.2f} ms, p95 {p95 * 1e3:.2f} ms over {len(ordered)} reads, "
        f"{int(served)} answered by the replica"
    )


@pytest.mark.benchmark(group="replicas lag skip")
def test_time_to_skip_a_lagging_replica(
    benchmark: BenchmarkFixture, routed: Database, pair: tuple[Node, Node]
) -> None:
    _, standby = pair
    assert routed.replicas is not None
    replica = routed.replicas.replicas[0]
    back: list[float] = []

    def pause_and_write() -> tuple[tuple[()], dict[str, Any]]:
        resumed = time.monotonic()
        standby.execute("SELECT pg_wal_replay_resume()")
        wait_until(lambda: replica.state == "ok", 30)
        back.append(time.monotonic() - resumed)
        standby.execute("SELECT pg_wal_replay_pause()")
        new_product(routed)
        return (), {}

    def until_skipped() -> None:
        wait_until(lambda: replica.state == "lagging", 30, every_s=0.005)

    try:
        benchmark.pedantic(until_skipped, setup=pause_and_write, rounds=5)  # type: ignore[no-untyped-call]
    finally:
        standby.execute("SELECT pg_wal_replay_resume()")
    stats: Any = benchmark.stats
    benchmark.extra_info.update(back_in_service_median_s=round(median(back[1:] or back), 3))
    print(
        f"\nlagging replica skipped {median(stats.stats.data):.2f} s after the write it missed "
        f"(MAX_REPLICA_LAG_MS {MAX_LAG_MS}, sample {SAMPLE_MS} ms); back in service "
        f"{median(back[1:] or back):.2f} s after the resume"
    )
