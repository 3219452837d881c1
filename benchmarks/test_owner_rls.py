"""Owner binding: the customer's order list (orders.list_for_user, first page of 20) read with
the owner in the SQL only (today), and the same read under a row-level security policy on
orders that binds the rows to a session variable (``shopdb.user_id``), side by side in one
run, the paths alternating call by call (benchmarks/paired.py says why).

Paths, each on its own raw psycopg connection (autocommit, prepared after 5 calls, as the
pool's connections are), all as roles that do not own the table:

- ``owner in SQL``: a role with BYPASSRLS, so the policy is not applied;
- ``RLS, variable set``: the policy applies; the variable was set for the customer before
  the timed call (the policy's own cost in the server);
- ``RLS, set per call``: the policy applies and each call sets the variable first
  (``set_config``): what binding the session per request costs, one more round trip.

The figures and the decision are in docs/security.md, "Owner binding".
"""

from __future__ import annotations

import itertools
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
from shopdb import Settings, migrations
from shopdb.core.paging import NEWEST_FIRST
from shopdb.core.queries import load_queries
from shopdb.testing import Server, scratch_database

ORDERS_PER_USER = 25  # as benchmarks/sql/owner_rls.sql makes them
ROUNDS = 3_000
SQL = load_queries(FilePath(__file__).parent / "sql")["owner_rls"]


def _run(conn: psycopg.Connection[Any], name: str, params: Any = None) -> Any:
    return conn.execute(SQL[name].sql, params)


@pytest.fixture(scope="module")
def rls_url(bench_server: Server) -> Iterator[str]:
    """A migrated database of its own (the policy must not touch the other benchmarks)."""
    with scratch_database(bench_server, "shopdb_bench_rls") as url:
        migrations.apply(Settings(database_url=url))
        with psycopg.connect(url, autocommit=True) as conn:
            _run(conn, "setup")
            _run(conn, "enable_policy")
        yield url
        with psycopg.connect(url, autocommit=True) as conn:
            _run(conn, "teardown")


def _connect(url: str, role: str) -> psycopg.Connection[Any]:
    conn = psycopg.connect(url, autocommit=True, prepare_threshold=5)
    _run(conn, role)
    return conn


@pytest.mark.benchmark(group="owner-rls")
def test_customer_order_list_with_and_without_row_level_security(
    benchmark: BenchmarkFixture, rls_url: str
) -> None:
    sql = load_queries()["orders"]["list_for_user"].sql
    start = dict(zip(("after_created_at", "after_id"), NEWEST_FIRST.start, strict=True))
    with psycopg.connect(rls_url, autocommit=True) as admin:
        ids = [row[0] for row in _run(admin, "user_ids")]
    users = itertools.cycle(random.Random(23).sample(ids, len(ids)))
    plain, bound, per_call = (_connect(rls_url, r) for r in ("as_bypass", "as_bound", "as_bound"))

    def params(user_id: UUID) -> dict[str, Any]:
        return {"user_id": user_id, "limit": 21, **start}

    def list_plain(user_id: UUID) -> list[Any]:
        return plain.execute(sql, params(user_id)).fetchall()

    def bind(user_id: UUID) -> UUID:
        _run(bound, "bind", {"user_id": str(user_id)})
        return user_id

    def list_bound(user_id: UUID) -> list[Any]:
        return bound.execute(sql, params(user_id)).fetchall()

    def list_per_call(user_id: UUID) -> list[Any]:
        _run(per_call, "bind", {"user_id": str(user_id)})
        return per_call.execute(sql, params(user_id)).fetchall()

    paths = [
        Path("owner in SQL", list_plain, lambda: next(users)),
        Path("RLS, variable set", list_bound, lambda: bind(next(users))),
        Path("RLS, set per call", list_per_call, lambda: next(users)),
    ]
    probe = next(users)
    assert len(list_plain(probe)) == len(list_bound(bind(probe))) == 21
    assert _run(bound, "visible_orders").fetchone() == (ORDERS_PER_USER,)

    _, times = measure_many(benchmark, paths[0], paths[1:], rounds=ROUNDS)

    medians = {name: median(values) * 1e6 for name, values in times.items()}
    base = medians["owner in SQL"]
    benchmark.extra_info.update(
        medians_us={k: round(v, 1) for k, v in medians.items()},
        ratios={k: round(v / base, 3) for k, v in medians.items()},
        size=f"{len(ids)} users x {ORDERS_PER_USER} orders",
        at=datetime.now().isoformat(timespec="seconds"),
    )
    print("\nowner binding, median per call:")
    for name, value in medians.items():
        print(f"  {name:20s} {value:8.1f} us  {value / base:5.2f}x")
    for conn in (plain, bound, per_call):
        conn.close()
