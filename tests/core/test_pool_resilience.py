"""Broken connections, a vanished server, timeouts and a full pool, all for real."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import psycopg
import pytest

from shopdb import (
    Database,
    DatabaseUnavailable,
    PoolExhausted,
    QueryTimeout,
    Settings,
)
from shopdb.models import NewUser, User
from shopdb.testing import with_settings
from tests.core.conftest import HASH
from tests.support.database import backend_pids, on_local_port, terminate
from tests.support.proxy import TcpProxy
from tests.support.waiting import until


def test_reads_survive_the_server_terminating_every_pooled_connection(
    settings: Settings, admin: psycopg.Connection[Any], user: User
) -> None:
    three = with_settings(
        settings, database_pool_min=3, database_pool_max=3, database_application_name="three"
    )
    with Database(three) as db:
        before = backend_pids(admin, "three")
        assert len(before) == 3

        assert terminate(admin, "three") == 3
        results = [db.users.get(user.id) for _ in range(6)]

        assert all(found.id == user.id for found in results)
        assert backend_pids(admin, "three").isdisjoint(before)


def test_a_write_on_a_connection_closed_before_the_call_is_sent_once_on_a_live_one(
    db: Database, admin: psycopg.Connection[Any]
) -> None:
    db.users.count()
    terminate(admin, db.settings.database_application_name)
    # pg_terminate_backend only signals: wait until the backend is gone.
    admin.execute(
        "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE application_name = %s",
        [db.settings.database_application_name],
    )

    db.users.create(NewUser(email="once@example.com", password_hash=HASH))

    assert db.users.email_exists("once@example.com") is True
    assert db.users.count() == 1


@pytest.fixture
def proxy(postgresql_server: Any) -> Iterator[TcpProxy]:
    forwarder = TcpProxy(postgresql_server.host, int(postgresql_server.port))
    yield forwarder
    forwarder.stop()


@pytest.mark.timeout(30)  # a hang fails here instead of waiting for the suite's timeout
def test_a_stopped_server_gives_database_unavailable_not_a_hang(
    settings: Settings, proxy: TcpProxy, user: User
) -> None:
    with Database(on_local_port(settings, proxy.port, database_pool_timeout_ms=1000)) as db:
        assert db.users.get(user.id).id == user.id
        proxy.stop()

        with pytest.raises(DatabaseUnavailable, match="within 1000 ms: the server is unreachable"):
            db.users.get(user.id)
        assert db.health().ok is False


def test_open_fails_fast_and_clearly_when_nothing_listens(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    url = f"postgresql://shop:sup3rsecret@127.0.0.1:{port}/shop"
    database = Database(with_settings(settings, database_url=url))

    with pytest.raises(DatabaseUnavailable, match=f"127.0.0.1:{port}") as raised:
        database.open(timeout_s=2)

    assert "sup3rsecret" not in str(raised.value)
    assert "sup3rsecret" not in caplog.text


def test_a_statement_over_query_timeout_raises_query_timeout_naming_the_query(
    settings: Settings, admin: psycopg.Connection[Any], user: User
) -> None:
    with Database(with_settings(settings, query_timeout_ms=150)) as db:
        with admin.transaction():
            admin.execute("LOCK TABLE users IN ACCESS EXCLUSIVE MODE")
            with pytest.raises(QueryTimeout, match=r"users\.get") as raised:
                db.users.get(user.id)
        assert raised.value.query == "users.get"
        assert db.users.get(user.id).id == user.id


@pytest.mark.timeout(30)  # a checkout that ignored its timeout fails here
def test_a_full_pool_raises_pool_exhausted_within_the_checkout_timeout(settings: Settings) -> None:
    tight = with_settings(
        settings, database_pool_min=1, database_pool_max=1, database_pool_timeout_ms=300
    )
    with Database(tight) as db, db.transaction(), ThreadPoolExecutor(1) as other_thread:
        with pytest.raises(PoolExhausted, match="within 300 ms: all 1 connections"):
            other_thread.submit(db.users.count).result()
        assert db.pool.checked_out == 1


def test_a_checkout_that_waits_gets_the_connection_once_it_is_returned(settings: Settings) -> None:
    tight = with_settings(
        settings, database_pool_min=1, database_pool_max=1, database_pool_timeout_ms=3000
    )
    with Database(tight) as db, ThreadPoolExecutor(1) as reader:
        holding, released = threading.Event(), threading.Event()

        def hold() -> None:
            with db.transaction():
                holding.set()
                released.wait(30)

        holder = threading.Thread(target=hold)
        holder.start()
        assert holding.wait(30)
        count = reader.submit(db.users.count)
        until(lambda: db.pool.get_stats().get("requests_waiting", 0) == 1, what="the checkout")
        released.set()

        assert count.result() == 0
        holder.join()


def test_health_reports_latency_version_and_pool_figures(db: Database) -> None:
    health = db.health()

    assert health.ok is True
    assert health.latency_ms is not None and health.latency_ms > 0
    assert health.server_version and health.server_version[0].isdigit()
    assert health.pool["pool_max"] == db.settings.database_pool_max
