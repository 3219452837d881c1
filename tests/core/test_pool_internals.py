"""ShopPool stands on psycopg_pool internals: these tests fail when they change under it.

ShopPool (src/shopdb/core/pool.py) replaces psycopg_pool's hand-out and return of an idle
connection with a stack and reads private attributes to do so. Nothing pins psycopg_pool: at
open, a pool whose psycopg_pool differs from ``UPSTREAM`` (the fingerprint of every method
ShopPool copies or bypasses) falls back to psycopg_pool's own hand-out, with one warning.
When an upgrade changes a method, the first test below names it: read the new source, adjust
ShopPool, then update UPSTREAM in pool.py. The fallback is tested by faking a changed
fingerprint (the database stays real).
"""

from __future__ import annotations

import warnings
from collections import deque
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg_pool import ConnectionPool

from shopdb import Database, Settings
from shopdb.core import pool as pool_module
from shopdb.core.pool import UPSTREAM, PooledConnection, PoolFallbackWarning, ShopPool, fingerprint
from shopdb.core.queries import load_queries
from shopdb.testing import with_settings

PROBE = load_queries(Path(__file__).parent / "sql")["probe"]


@pytest.mark.parametrize("method", sorted(UPSTREAM))
def test_the_psycopg_pool_methods_shoppool_replaces_are_the_ones_it_was_written_for(
    method: str,
) -> None:
    assert fingerprint()[method] == UPSTREAM[method], (
        f"psycopg_pool {version('psycopg-pool')} changed ConnectionPool.{method}: "
        "review ShopPool (src/shopdb/core/pool.py) against it, then update UPSTREAM "
        "(until then every ShopPool falls back to psycopg_pool's own hand-out)"
    )


def test_the_fingerprint_is_that_of_the_installed_psycopg_pool_methods() -> None:
    assert set(fingerprint()) == set(UPSTREAM)
    assert all(callable(getattr(ConnectionPool, method)) for method in UPSTREAM)


@pytest.fixture
def three(settings: Settings) -> Iterator[Database]:
    with Database(with_settings(settings, database_pool_min=3, database_pool_max=3)) as db:
        yield db


def test_the_private_state_shoppool_reads_exists_with_the_expected_types(three: Database) -> None:
    pool = three.pool
    assert isinstance(pool, ShopPool)
    assert all(hasattr(pool, name) for name in pool_module.PRIVATE_STATE)
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


def test_on_the_psycopg_pool_it_was_written_for_the_pool_hands_out_lifo_without_a_warning(
    settings: Settings,
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", PoolFallbackWarning)
        with Database(settings) as db:
            assert db.pool.handout == "lifo"


@pytest.fixture
def fallback(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Database, pytest.WarningsRecorder]]:
    """An open Database of 3 connections on a psycopg_pool as if an upgrade had changed a
    method ShopPool replaces, and the warnings its open gave."""
    monkeypatch.setitem(UPSTREAM, "_get_ready_connection", "0" * 16)
    three = with_settings(settings, database_pool_min=3, database_pool_max=3)
    with pytest.warns(PoolFallbackWarning) as warned:
        db = Database(three).open()
    try:
        yield db, warned
    finally:
        db.close()


def test_on_a_changed_psycopg_pool_the_pool_falls_back_to_its_own_fifo_hand_out_warning_once(
    fallback: tuple[Database, pytest.WarningsRecorder],
) -> None:
    db, warned = fallback
    pool = db.pool
    with warnings.catch_warnings():
        warnings.simplefilter("error", PoolFallbackWarning)  # a second warning fails here
        first, second, third = pool.getconn(), pool.getconn(), pool.getconn()
        assert pool.checked_out == 3
        for conn in (first, second, third):
            pool.putconn(conn)
        assert pool.checked_out == 0
        again = [pool.getconn() for _ in range(3)]
        assert pool.checked_out == 3
        for conn in again:
            pool.putconn(conn)
        assert db.health().ok

    assert pool.handout == "psycopg_pool"
    assert again == [first, second, third]  # psycopg_pool's deque: the longest idle first
    assert pool.checked_out == 0
    assert pool.get_stats()["pool_available"] == 3
    assert len(warned) == 1
    message = str(warned[0].message)
    assert f"psycopg_pool {version('psycopg-pool')} differs from the 3.3.3" in message
    assert "(_get_ready_connection)" in message
    assert "shopdb falls back to psycopg_pool's own hand-out" in message


def test_on_the_fallback_path_a_closed_connection_returned_is_never_handed_out_again(
    fallback: tuple[Database, pytest.WarningsRecorder],
) -> None:
    pool = fallback[0].pool
    broken = pool.getconn()
    broken.close()
    pool.putconn(broken)
    handed = [pool.getconn() for _ in range(3)]
    in_use = pool.checked_out
    for conn in handed:
        pool.putconn(conn)

    assert broken not in handed
    assert all(not conn.closed for conn in handed)
    assert (in_use, pool.checked_out) == (3, 0)


def test_a_missing_private_attribute_makes_the_pool_fall_back_too(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        pool_module, "PRIVATE_STATE", (*pool_module.PRIVATE_STATE, "_renamed_upstream")
    )
    with pytest.warns(PoolFallbackWarning, match=r"\(_renamed_upstream\)"):
        db = Database(settings).open()
    try:
        conn = db.pool.getconn()
        in_use = db.pool.checked_out
        db.pool.putconn(conn)
    finally:
        db.close()

    assert db.pool.handout == "psycopg_pool"
    assert (in_use, db.pool.checked_out) == (1, 0)
