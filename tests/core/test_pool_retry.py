"""The retry after a dead connection, and what a failed checkout says, made deterministic.

A connection in use when the server killed its backend comes back to the pool after
``pool.check()`` has weeded out the idle ones: the retry must not run on it. The tests hold
such a connection, make the retry wait for one (a proxy refuses new connections meanwhile),
and hand it the dead one.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from prometheus_client import REGISTRY
from psycopg_pool import PoolTimeout

from shopdb import Database, DatabaseUnavailable, PoolExhausted, Settings, WriteOutcomeUnknown
from shopdb.core.queries import load_queries
from shopdb.models import User
from shopdb.testing import with_settings
from tests.support.database import on_local_port
from tests.support.proxy import TcpProxy
from tests.support.waiting import until

PROBE = load_queries(Path(__file__).parent / "sql")["probe"]


@pytest.fixture
def proxy(postgresql_server: Any) -> Iterator[TcpProxy]:
    forwarder = TcpProxy(postgresql_server.host, int(postgresql_server.port))
    yield forwarder
    forwarder.stop()


def _kill_and_wait(admin: psycopg.Connection[Any], application_name: str) -> int:
    rows = admin.execute(
        "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE application_name = %s",
        [application_name],
    ).fetchall()
    return len(rows)


def _stat(db: Database, key: str) -> int:
    return int(db.pool.get_stats().get(key, 0))


def _in_thread(call: Callable[[], object]) -> tuple[threading.Thread, dict[str, object]]:
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except Exception as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def _retry_meets_a_connection_killed_while_in_use(
    settings: Settings, proxy: TcpProxy, admin: psycopg.Connection[Any], call: Callable[..., Any]
) -> dict[str, object]:
    two = on_local_port(
        settings,
        proxy.port,
        database_pool_min=2,
        database_pool_max=2,
        database_pool_timeout_ms=8000,
        database_application_name="retry-alive",
    )
    with Database(two) as db:
        held = db.pool.getconn()  # in use when its backend is killed
        assert _kill_and_wait(admin, "retry-alive") == 2
        proxy.refuse_new()  # no replacement can be opened for now
        thread, outcome = _in_thread(lambda: call(db))
        until(lambda: _stat(db, "requests_waiting") >= 1, what="the retry to wait")
        db.pool.putconn(held)  # dead, but psycopg does not know: the waiting retry gets it
        proxy.refuse_new(False)
        thread.join(20)
    return outcome


def test_a_read_retry_never_runs_on_a_connection_killed_while_it_was_in_use(
    settings: Settings, proxy: TcpProxy, admin: psycopg.Connection[Any], user: User
) -> None:
    outcome = _retry_meets_a_connection_killed_while_in_use(
        settings, proxy, admin, lambda db: db.users.get(user.id)
    )

    assert "error" not in outcome, outcome
    assert isinstance(outcome["value"], User) and outcome["value"].id == user.id


def test_a_begin_retry_never_runs_on_a_connection_killed_while_it_was_in_use(
    settings: Settings, proxy: TcpProxy, admin: psycopg.Connection[Any], user: User
) -> None:
    def begin_and_read(db: Database) -> User:
        with db.transaction() as tx:
            return tx.users.get(user.id)

    outcome = _retry_meets_a_connection_killed_while_in_use(settings, proxy, admin, begin_and_read)

    assert "error" not in outcome, outcome
    assert isinstance(outcome["value"], User) and outcome["value"].id == user.id


def _reconnecting_pool(settings: Settings, proxy: TcpProxy, low: int, high: int) -> Database:
    return Database(
        on_local_port(
            settings,
            proxy.port,
            database_pool_min=low,
            database_pool_max=high,
            database_pool_timeout_ms=200,
            database_application_name="reconnecting",
        )
    )


def test_a_fixed_pool_reopening_its_connections_is_not_reported_exhausted(
    settings: Settings, proxy: TcpProxy, admin: psycopg.Connection[Any], user: User
) -> None:
    with _reconnecting_pool(settings, proxy, 2, 2) as db:
        _kill_and_wait(admin, "reconnecting")
        proxy.refuse_new()
        db.pool.check()  # both found dead; reopening them fails, then backs off (~1 s)
        until(lambda: _stat(db, "connections_errors") >= 2, what="both reopenings to fail")
        proxy.refuse_new(False)  # the server answers again while the pool still backs off

        with pytest.raises(DatabaseUnavailable) as raised:
            db.users.get(user.id)

    assert not isinstance(raised.value, PoolExhausted)
    assert "the server answers" in str(raised.value)
    assert "0 of 2 in use" in str(raised.value)


def test_a_growing_pool_does_not_call_an_answering_server_unreachable(
    settings: Settings, proxy: TcpProxy, admin: psycopg.Connection[Any], user: User
) -> None:
    with _reconnecting_pool(settings, proxy, 1, 3) as db:
        _kill_and_wait(admin, "reconnecting")
        proxy.refuse_new()
        db.pool.check()  # the one connection is dead; reopening it fails and backs off
        with pytest.raises(PoolTimeout):  # raw psycopg_pool: no probe, no shopdb error
            db.pool.getconn(timeout=0.3)  # makes the pool try to grow; that fails too
        until(lambda: _stat(db, "connections_errors") >= 2, what="both attempts to fail")
        proxy.refuse_new(False)

        with pytest.raises(DatabaseUnavailable) as raised:
            db.users.get(user.id)

    assert "unreachable" not in str(raised.value)
    assert "the server answers" in str(raised.value)


def test_checkouts_timing_out_during_an_outage_open_one_probe_connection_not_one_each(
    settings: Settings, proxy: TcpProxy, user: User
) -> None:
    name = "probe-cache"
    down = on_local_port(
        settings, proxy.port, database_pool_timeout_ms=100, database_probe_interval_ms=60_000
    )
    before = REGISTRY.get_sample_value("shopdb_pool_probes_total", {"pool": name}) or 0.0
    with Database(down, name=name) as db:
        proxy.stop()
        for _ in range(4):
            with pytest.raises(DatabaseUnavailable, match="unreachable"):
                db.users.get(user.id)

    after = REGISTRY.get_sample_value("shopdb_pool_probes_total", {"pool": name}) or 0.0
    assert after - before == 1


def test_a_write_declared_idempotent_is_retried_once_on_a_dead_connection(
    db: Database, admin: psycopg.Connection[Any]
) -> None:
    admin.execute("CREATE TABLE probe_kv (key int PRIMARY KEY, value text NOT NULL)")
    upsert = dataclasses.replace(PROBE["upsert_probe"], idempotent=True)
    assert upsert.retry_safe and not PROBE["upsert_probe"].retry_safe
    db._runner.run(PROBE["count_kv"], {})
    _kill_and_wait(admin, db.settings.database_application_name)

    assert db._runner.run(upsert, {"key": 1, "value": "set"}) == 1
    assert db._runner.run(PROBE["count_kv"], {}) == 1


def test_a_write_whose_connection_breaks_during_it_says_its_outcome_is_unknown(
    db: Database, admin: psycopg.Connection[Any]
) -> None:
    admin.execute("CREATE TABLE probe_kv (key int PRIMARY KEY, value text NOT NULL)")

    with pytest.raises(WriteOutcomeUnknown, match="may or may not have been applied"):
        db._runner.run(PROBE["insert_and_die"], {"key": 1, "value": "lost"})
    assert db._runner.run(PROBE["count_kv"], {}) == 0


def test_a_write_on_a_connection_the_server_closed_before_the_call_runs_once_elsewhere(
    db: Database, admin: psycopg.Connection[Any]
) -> None:
    admin.execute("CREATE TABLE probe_kv (key int PRIMARY KEY, value text NOT NULL)")
    db._runner.run(PROBE["count_kv"], {})
    _kill_and_wait(admin, db.settings.database_application_name)

    assert not PROBE["upsert_probe"].retry_safe
    assert db._runner.run(PROBE["upsert_probe"], {"key": 1, "value": "set"}) == 1
    assert db._runner.run(PROBE["count_kv"], {}) == 1


def test_pooled_connections_carry_tcp_keepalives_and_the_prepared_statement_limit(
    settings: Settings,
) -> None:
    tuned = with_settings(
        settings,
        database_keepalives_idle_s=17,
        database_keepalives_interval_s=4,
        database_keepalives_count=5,
        database_tcp_user_timeout_ms=12_000,
        database_prepared_max=300,
    )
    with Database(tuned) as db, db.pool.connection() as conn:
        parameters = conn.info.get_parameters()
        prepared_max = conn.prepared_max

    assert parameters["keepalives"] == "1"
    assert parameters["keepalives_idle"] == "17"
    assert parameters["keepalives_interval"] == "4"
    assert parameters["keepalives_count"] == "5"
    assert parameters["tcp_user_timeout"] == "12000"
    assert prepared_max == 300
