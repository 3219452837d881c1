"""A user's unread notification count (notifications.unread_count) at 1,000,000 users with
five notifications each (one unread), side by side with the same count read without the
partial index (a copy of the table with only the per-user listing index), the paths
alternating call by call (benchmarks/paired.py says why). The figures are in docs/events.md,
"Notifications". The scale: BENCH_UNREAD_USERS (1,000,000) x BENCH_UNREAD_PER_USER (5)."""

from __future__ import annotations

import itertools
import os
import random
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path as FilePath
from statistics import median
from typing import Any
from uuid import UUID

import psycopg
import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from benchmarks.paired import Path, measure_many
from shopdb import Database, Settings, migrations
from shopdb.core.queries import load_queries
from shopdb.testing import Server, scratch_database

USERS = int(os.environ.get("BENCH_UNREAD_USERS", "1000000"))
PER_USER = int(os.environ.get("BENCH_UNREAD_PER_USER", "5"))
ROUNDS = 3_000
SQL = load_queries(FilePath(__file__).parent / "sql")["unread_count"]


def _run(conn: psycopg.Connection[Any], name: str, params: Any = None) -> Any:
    return conn.execute(SQL[name].sql, params)


@pytest.fixture(scope="module")
def unread_url(bench_server: Server) -> Iterator[str]:
    """A migrated database of its own holding USERS users and their notifications."""
    with scratch_database(bench_server, "shopdb_bench_unread") as url:
        migrations.apply(Settings(database_url=url))
        with psycopg.connect(url, autocommit=True) as conn:
            _run(conn, "make_users", {"count": USERS})
            _run(conn, "make_notifications", {"per_user": PER_USER})
            _run(conn, "copy_without_partial_index")
            _run(conn, "vacuum_notifications")
            _run(conn, "vacuum_plain")
        yield url


@pytest.mark.benchmark(group="unread-count")
def test_unread_count_with_and_without_the_partial_index(
    benchmark: BenchmarkFixture, unread_url: str
) -> None:
    with psycopg.connect(unread_url, autocommit=True) as admin:
        ids = [row[0] for row in _run(admin, "user_ids")]
        sizes = {name: size for name, size in _run(admin, "sizes")}
        plan = "\n".join(row[0] for row in _run(admin, "plan", {"user_id": ids[0]}))
    users = itertools.cycle(random.Random(29).sample(ids, min(len(ids), 50_000)))
    # Both on raw connections of the same kind (autocommit, prepared after 5 calls): the
    # ratio is the index's, not the repository's layers.
    partial_conn = psycopg.connect(unread_url, autocommit=True, prepare_threshold=5)
    plain_conn = psycopg.connect(unread_url, autocommit=True, prepare_threshold=5)
    repository_sql = load_queries()["notifications"]["unread_count"].sql

    def partial(user_id: UUID) -> int:
        found = partial_conn.execute(repository_sql, {"user_id": user_id}).fetchone()
        assert found is not None
        return int(found[0])

    def without(user_id: UUID) -> int:
        found = _run(plain_conn, "unread_plain", {"user_id": user_id}).fetchone()
        assert found is not None
        return int(found[0])

    settings = Settings(database_url=unread_url, database_pool_min=1, database_pool_max=2)
    with Database(settings) as db:
        probe = next(users)
        assert db.notifications.unread_count(probe) == partial(probe) == without(probe) == 1
    assert "notifications_user_id_unread_idx" in plan
    paths = [
        Path("partial index (unread_count)", partial, lambda: next(users)),
        Path("listing index only", without, lambda: next(users)),
    ]
    _, times = measure_many(benchmark, paths[0], paths[1:], rounds=ROUNDS)
    partial_conn.close()
    plain_conn.close()

    medians = {name: median(values) * 1e6 for name, values in times.items()}
    base = medians[paths[0].name]
    benchmark.extra_info.update(
        medians_us={k: round(v, 1) for k, v in medians.items()},
        ratios={k: round(v / base, 3) for k, v in medians.items()},
        index_bytes=sizes,
        size=f"{len(ids)} users x {PER_USER} notifications",
        at=datetime.now().isoformat(timespec="seconds"),
    )
    print(f"\nunread count, {len(ids)} users x {PER_USER} notifications, median per call:")
    for name, value in medians.items():
        print(f"  {name:30s} {value:8.1f} us  {value / base:5.2f}x")
    for name, size in sizes.items():
        print(f"  {name:45s} {size / 2**20:8.1f} MiB")
    print(plan)
