"""ShopPool stands on psycopg_pool internals: these tests fail when they change under it.

ShopPool (src/shopdb/core/pool.py) replaces psycopg_pool's hand-out and return of an idle
connection with a stack and reads private attributes to do so. pyproject.toml pins the
psycopg_pool versions it was written for; if an upgrade inside that range changes any method
ShopPool copies or bypasses, the source fingerprint below changes: read the new source,
adjust ShopPool, then update the fingerprint.
"""

from __future__ import annotations

import hashlib
import inspect
from collections import deque
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg_pool import ConnectionPool

from shopdb import Database, Settings
from shopdb.core.pool import PooledConnection, ShopPool
from shopdb.core.queries import load_queries
from shopdb.testing import with_settings

PROBE = load_queries(Path(__file__).parent / "sql")["probe"]

# sha256 (first 16 hex digits) of inspect.getsource(ConnectionPool.<method>), psycopg_pool 3.3.3.
UPSTREAM = {
    "getconn": "778325c161bc774e",
    "putconn": "7fdaa8e95e7f4402",
    "_putconn": "990f57f11bf872a8",
    "_get_ready_connection": "99b699260c88e9e6",
    "_getconn_unchecked": "5cddc70ef1154abd",
    "_return_connection": "282265749082a563",
    "_add_to_pool": "81f2d9c7d440d066",
    "_reset_connection": "40069a8211966e7a",
    "_shrink_pool": "69eb26508c4e24ce",
}


@pytest.mark.parametrize("method", sorted(UPSTREAM))
def test_the_psycopg_pool_methods_shoppool_replaces_are_the_ones_it_was_written_for(
    method: str,
) -> None:
    source = inspect.getsource(getattr(ConnectionPool, method))
    fingerprint = hashlib.sha256(source.encode()).hexdigest()[:16]

    assert fingerprint == UPSTREAM[method], (
        f"psycopg_pool {version('psycopg-pool')} changed ConnectionPool.{method}: "
        "review ShopPool (src/shopdb/core/pool.py) against it, then update UPSTREAM"
    )


@pytest.fixture
def three(settings: Settings) -> Iterator[Database]:
    with Database(with_settings(settings, database_pool_min=3, database_pool_max=3)) as db:
        yield db


def test_the_private_state_shoppool_reads_exists_with_the_expected_types(three: Database) -> None:
    pool = three.pool
    assert isinstance(pool, ShopPool)
    assert isinstance(pool._pool, deque) and isinstance(pool._waiting, deque)
    assert isinstance(pool._nconns_min, int) and isinstance(pool._drained_at, float)
    assert isinstance(pool._stats, dict) and isinstance(pool._REQUESTS_NUM, str)
    assert pool._check is None and pool._reset is None and pool._pool_full_event is None
    with pool._lock:  # a plain lock: ShopPool never calls psycopg_pool while holding it
        pass
    conn = pool.getconn()
    try:
        assert isinstance(conn, PooledConnection)
        assert conn._pool is pool
        assert isinstance(conn._created_at, float) and isinstance(conn._expire_at, float)
    finally:
        pool.putconn(conn)


def test_the_most_recently_returned_connection_is_handed_out_first(three: Database) -> None:
    pool = three.pool
    first, second, third = pool.getconn(), pool.getconn(), pool.getconn()
    assert pool.checked_out == 3
    for conn in (first, second, third):
        pool.putconn(conn)
    assert pool.checked_out == 0

    again = [pool.getconn() for _ in range(3)]
    for conn in reversed(again):
        pool.putconn(conn)

    assert again == [third, second, first]
    assert pool.get_stats()["pool_available"] == 3


def test_a_returned_connection_that_is_closed_is_never_handed_out_again(
    three: Database,
) -> None:
    pool = three.pool
    broken = pool.getconn()
    broken.close()
    pool.putconn(broken)

    handed = [pool.getconn() for _ in range(3)]
    for conn in handed:
        pool.putconn(conn)

    assert broken not in handed
    assert all(not conn.closed for conn in handed)


def test_one_cursor_is_kept_per_connection_and_statements_stay_prepared_per_query(
    settings: Settings, admin: psycopg.Connection[Any]
) -> None:
    admin.execute("CREATE TABLE probe_kv (key int PRIMARY KEY, value text NOT NULL)")
    one = with_settings(
        settings, database_pool_min=1, database_pool_max=1, database_prepare_threshold=0
    )
    with Database(one) as db:
        for _ in range(3):
            db._runner.run(PROBE["count_kv"], {})
        conn = db.pool.getconn()
        try:
            cursor = conn.kept_cursor()
            assert conn.kept_cursor() is cursor
            prepared = cursor.execute(
                "SELECT name, statement FROM pg_prepared_statements", prepare=False
            ).fetchall()
        finally:
            db.pool.putconn(conn)

    assert len(prepared) == 1
    assert "FROM probe_kv" in prepared[0]["statement"]


def test_each_kind_of_statement_returns_what_the_runner_contract_says(
    db: Database, admin: psycopg.Connection[Any]
) -> None:
    admin.execute("CREATE TABLE probe_kv (key int PRIMARY KEY, value text NOT NULL)")
    run = db._runner.run

    assert run(PROBE["upsert_probe"], {"key": 1, "value": "a"}) == 1  # !: rowcount
    assert run(PROBE["put_kv"], {"key": 2, "value": "b"}) == {"key": 2, "value": "b"}  # <!
    assert run(PROBE["get_kv"], {"key": 2}) == {"key": 2, "value": "b"}  # ^: the row
    assert run(PROBE["get_kv"], {"key": 9}) is None  # ^: no row
    assert run(PROBE["count_kv"], {}) == 2  # $: the value
    assert run(PROBE["list_kv"], {}) == [{"key": 1, "value": "a"}, {"key": 2, "value": "b"}]
    with db.transaction() as tx:
        assert tx._runner.run(PROBE["list_kv"], {}) == run(PROBE["list_kv"], {})
