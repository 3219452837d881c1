"""The catalog cache (issue 20, point 9) on the generated catalogue (1,000,000 products by
default), side by side in one run, over a private redis-server:

- ``products.get_with_details`` through the cache (an entry in Redis) and without it (its
  four queries), alternating call by call over the same spread of products: medians, ratio
  (goal: the cached call at least 5x faster);
- a cold-key burst, 200 callers (4 processes x 50 threads) on one product nobody read yet,
  with the cache and without it, alternating burst by burst: database queries per burst.

Run: ``.venv/bin/python -m pytest benchmarks/catalog/test_cache.py -p no:cacheprovider -n 0 -s``
(the figures are printed and kept in each benchmark's extra_info); docs/performance.md.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from statistics import median
from uuid import UUID

import psycopg
import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from benchmarks.catalog.conftest import Picks
from shopdb import Database, Settings
from shopdb.testing.redis_server import RedisServer, redis_server
from shopdb.testing.stampede import burst

pytestmark = pytest.mark.timeout(3600)  # the first run generates the catalogue
ROUNDS = 2000
BURSTS = 3
GOAL = 5.0


@pytest.fixture(scope="module")
def redis_srv() -> Iterator[RedisServer]:
    with redis_server() as server:
        yield server


def _settings(catalog_url: str, redis: RedisServer | None, name: str) -> Settings:
    return Settings(
        database_url=catalog_url,
        redis_url=None if redis is None else redis.url,
        cache_timeout_ms=1000,
        cache_lock_wait_ms=3000,
        database_application_name=name,
    )


@pytest.fixture(scope="module")
def cached(catalog_url: str, redis_srv: RedisServer) -> Iterator[Database]:
    with Database(_settings(catalog_url, redis_srv, "shopdb-bench-cached"), name="bench") as db:
        yield db


@pytest.mark.benchmark(group="get_with_details, cached vs uncached")
def test_get_with_details_cached_vs_uncached(
    benchmark: BenchmarkFixture, catalog: Database, cached: Database, picks: Picks
) -> None:
    ids = picks.products
    for pid in ids:  # the working set in shared buffers, and every entry in Redis
        assert catalog.products.get_with_details(pid) == cached.products.get_with_details(pid)
    uncached_ids, cached_ids = itertools.cycle(ids), itertools.cycle(ids)
    uncached_s: list[float] = []

    def setup() -> tuple[tuple[UUID], dict[str, object]]:
        pid = next(uncached_ids)
        start = time.perf_counter()
        catalog.products.get_with_details(pid)
        uncached_s.append(time.perf_counter() - start)
        return (next(cached_ids),), {}

    with cached.capture_queries() as ran:
        benchmark.pedantic(  # type: ignore[no-untyped-call]
            cached.products.get_with_details, setup=setup, rounds=ROUNDS
        )
    assert ran == []  # every cached call was a hit
    assert benchmark.stats is not None
    cached_median = benchmark.stats.stats.median
    ratio = median(uncached_s) / cached_median
    benchmark.extra_info.update(
        products=len(ids),
        cached_median_us=round(cached_median * 1e6, 1),
        uncached_median_us=round(median(uncached_s) * 1e6, 1),
        speedup=round(ratio, 2),
    )
    print(
        f"\nget_with_details: cached {cached_median * 1e6:.1f} us, uncached "
        f"{median(uncached_s) * 1e6:.1f} us per call (medians of {ROUNDS} alternating calls "
        f"each): {ratio:.1f}x"
    )
    assert ratio >= GOAL, f"cached only {ratio:.2f}x faster (goal {GOAL}x)"


@pytest.mark.benchmark(group="cold-key burst, 200 callers")
def test_cold_key_burst_with_and_without_the_cache(
    benchmark: BenchmarkFixture, catalog_url: str, redis_srv: RedisServer, picks: Picks
) -> None:
    with_cache = _settings(catalog_url, redis_srv, "shopdb-bench-burst")
    without = _settings(catalog_url, None, "shopdb-bench-burst")
    with psycopg.connect(catalog_url) as conn:  # products no benchmark has read: cold keys
        rows = conn.execute(
            "SELECT id FROM products WHERE deleted_at IS NULL AND NOT id = ANY(%s) "
            "ORDER BY id DESC LIMIT %s",
            [picks.products, 2 * BURSTS],
        ).fetchall()
    fresh = iter(row[0] for row in rows)
    rounds: dict[str, list[tuple[int, int, float]]] = {"cache": [], "no cache": []}
    for _ in range(BURSTS):
        for name, settings in (("cache", with_cache), ("no cache", without)):
            start = time.perf_counter()
            result = burst(settings, next(fresh), processes=4, threads=50)
            took = time.perf_counter() - start
            assert result.errors == () and result.callers == 200 and len(result.values) == 1
            rounds[name].append((result.fills, result.queries, took))
    summary = {
        name: {
            "fills_per_burst": median(r[0] for r in found),
            "queries_per_burst": median(r[1] for r in found),
            "bursts": len(found),
        }
        for name, found in rounds.items()
    }
    benchmark.extra_info.update(summary)
    # the figure is a count, kept in extra_info; a burst's time is mostly the processes'
    # start, so nothing is timed here (the group exists for --benchmark-only runs)
    benchmark.pedantic(lambda: None, rounds=1)  # type: ignore[no-untyped-call]
    print(
        f"\ncold-key burst of 200 callers: with the cache "
        f"{summary['cache']['queries_per_burst']} database queries "
        f"({summary['cache']['fills_per_burst']} fill), without "
        f"{summary['no cache']['queries_per_burst']} ({summary['no cache']['fills_per_burst']} "
        f"get_with_details); medians of {BURSTS} alternating bursts each"
    )
    assert summary["cache"]["fills_per_burst"] == 1
