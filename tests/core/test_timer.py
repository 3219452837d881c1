"""The query timer: Prometheus metrics, the slow-query log and captures."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import psycopg
import pytest
from prometheus_client import REGISTRY, generate_latest

from shopdb import Database, Settings
from shopdb.core.errors import QueryTimeout
from shopdb.core.queries import load_queries
from shopdb.core.runner import execute
from shopdb.models import User
from shopdb.testing import with_settings
from tests.support.waiting import until


def _sample(name: str, query: str) -> float:
    return REGISTRY.get_sample_value(name, {"query": query}) or 0.0


def test_a_query_blocked_past_the_threshold_is_flagged_logged_and_counted(
    settings: Settings,
    db_url: str,
    admin: psycopg.Connection[Any],
    user: User,
    caplog: pytest.LogCaptureFixture,
) -> None:
    slow_before = _sample("shopdb_slow_queries_total", "users.get")
    name = "timer-blocked"
    blocked = with_settings(settings, slow_query_ms=50, database_application_name=name)
    with Database(blocked) as db, psycopg.connect(db_url, autocommit=True) as watcher:

        def waited_past_the_threshold() -> bool:
            # The server's own clock: the reader has waited on the lock for over 60 ms.
            row = watcher.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s"
                " AND wait_event_type = 'Lock' AND now() - query_start > interval '60 ms'",
                [name],
            ).fetchone()
            return row == (1,)

        with admin.transaction():
            admin.execute("LOCK TABLE users IN ACCESS EXCLUSIVE MODE")
            reader = threading.Thread(target=db.users.get, args=(user.id,))
            with caplog.at_level(logging.WARNING, logger="shopdb.slow_query"):
                reader.start()
                until(waited_past_the_threshold, what="the reader to wait on the lock")
        reader.join()

    records = [r for r in caplog.records if r.name == "shopdb.slow_query"]
    assert len(records) == 1
    message = records[0].getMessage()
    assert "users.get" in message and "threshold 50 ms" in message
    assert str(user.id) not in message and str(user.id) not in str(records[0].__dict__)
    assert _sample("shopdb_slow_queries_total", "users.get") == slow_before + 1


def test_a_fast_query_is_timed_but_not_flagged(
    db: Database, user: User, caplog: pytest.LogCaptureFixture
) -> None:
    count_before = _sample("shopdb_query_duration_seconds_count", "users.get")
    slow_before = _sample("shopdb_slow_queries_total", "users.get")

    with caplog.at_level(logging.WARNING, logger="shopdb.slow_query"):
        db.users.get(user.id)

    assert _sample("shopdb_query_duration_seconds_count", "users.get") == count_before + 1
    assert _sample("shopdb_slow_queries_total", "users.get") == slow_before
    assert not [r for r in caplog.records if r.name == "shopdb.slow_query"]


def test_capture_queries_records_name_rows_and_duration_of_each_query(
    db: Database, user: User
) -> None:
    with db.capture_queries() as queries:
        db.users.get(user.id)
        db.users.find_by_email("nobody@example.com")
        db.users.list_users(limit=5)

    assert [(q.name, q.rows) for q in queries] == [
        ("users.get", 1),
        ("users.find_by_email", 0),
        ("users.list_users", 1),
    ]
    assert all(q.duration_s > 0 and not q.failed for q in queries)


def test_queries_outside_a_capture_block_are_not_recorded(db: Database, user: User) -> None:
    with db.capture_queries() as queries:
        pass
    db.users.get(user.id)

    assert queries == []


def test_pool_gauges_are_exported_per_pool(db: Database) -> None:
    db.users.count()
    exposition = generate_latest(REGISTRY).decode()

    assert f'shopdb_pool_pool_size{{pool="{db.name}"}}' in exposition
    assert "shopdb_pool_requests_wait_ms" in exposition


def test_a_failed_query_is_counted_as_an_error_of_its_name(settings: Settings) -> None:
    pause = load_queries(Path(__file__).parents[1] / "observability" / "sql")["slow"]["pause"]
    errors_before = _sample("shopdb_query_errors_total", "slow.pause")

    with (
        Database(with_settings(settings, query_timeout_ms=50)) as db,
        db.pool.connection() as conn,
        pytest.raises(QueryTimeout),
    ):
        execute(conn, pause, {}, db.timer)

    assert _sample("shopdb_query_errors_total", "slow.pause") == errors_before + 1


def test_an_open_database_exports_the_slow_and_error_counters_of_every_query_at_zero(
    db: Database,
) -> None:
    names = [q.name for ns in load_queries().values() for q in ns.values()]

    for metric in ("shopdb_slow_queries_total", "shopdb_query_errors_total"):
        missing = [n for n in names if REGISTRY.get_sample_value(metric, {"query": n}) is None]
        assert missing == [], metric


def test_two_open_pools_of_one_name_are_one_series_of_their_sums(settings: Settings) -> None:
    two = with_settings(settings, database_pool_min=2, database_pool_max=3)
    with Database(settings, name="twin") as one, Database(two, name="twin") as other:
        exposition = generate_latest(REGISTRY).decode()
        sizes = one.pool_stats()["pool_size"] + other.pool_stats()["pool_size"]

    lines = [line for line in exposition.splitlines() if line.startswith("shopdb_pool_pool_max{")]
    assert [line for line in lines if 'pool="twin"' in line] == [
        f'shopdb_pool_pool_max{{pool="twin"}} {settings.database_pool_max + 3:.1f}'
    ]
    assert f'shopdb_pool_pool_size{{pool="twin"}} {sizes:.1f}' in exposition
