"""`shopdb report --indexes` on a test database given a duplicate, an invalid and an unused
index (issue 19, point 6)."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from click.testing import CliRunner

from shopdb.cli import main
from shopdb.core.timer import QueryTimer
from shopdb.observability.indexes import index_health
from tests.support.waiting import until


@pytest.fixture
def spoiled_url(db_url: str) -> str:
    """The test's database with two identical indexes on orders(status) and an INVALID one
    (a unique index built CONCURRENTLY over duplicate values fails and stays behind)."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("CREATE INDEX report_dup_a ON orders (status)")
        conn.execute("CREATE INDEX report_dup_b ON orders (status)")
        conn.execute("CREATE TABLE report_twice (n int8)")
        conn.execute("INSERT INTO report_twice VALUES (1), (1)")
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("CREATE UNIQUE INDEX CONCURRENTLY report_invalid ON report_twice (n)")
    return db_url


def test_the_duplicate_invalid_and_unused_indexes_are_found(spoiled_url: str) -> None:
    with psycopg.connect(spoiled_url, autocommit=True) as conn:
        health = index_health(conn, QueryTimer(200), limit=5)

    assert {"table_name": "orders", "index_names": ["report_dup_a", "report_dup_b"]} in [
        {k: r[k] for k in ("table_name", "index_names")} for r in health.duplicates
    ]
    assert [(r["table_name"], r["index_name"]) for r in health.invalid] == [
        ("report_twice", "report_invalid")
    ]
    unused = {r["index_name"] for r in health.unused}
    assert {"report_dup_a", "report_dup_b"} <= unused
    assert "users_pkey" not in unused  # keys and unique rules are never "unused"
    assert len(health.largest) == 5
    sizes = [r["bytes"] for r in health.largest]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] > 0


def test_a_scanned_index_is_no_longer_unused(db_url: str) -> None:
    def scans(conn: psycopg.Connection[Any]) -> int:
        row: Any = conn.execute(
            "SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = 'report_scanned'"
        ).fetchone()
        return int(row[0])

    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("CREATE INDEX report_scanned ON orders (status)")
        conn.execute("SET enable_seqscan = off")
        conn.execute("SELECT count(*) FROM orders WHERE status = 'PAID'").fetchone()
        # The backend's counts reach the shared statistics when it next goes idle: forced now.
        conn.execute("SELECT pg_stat_force_next_flush()")
        conn.execute("SELECT 1")
        until(lambda: scans(conn) >= 1, timeout_s=10, what="the index scan to be counted")
        unused = {r["index_name"] for r in index_health(conn, QueryTimer(200), limit=1).unused}

    assert "report_scanned" not in unused


def test_the_command_prints_each_section(spoiled_url: str) -> None:
    done = CliRunner().invoke(
        main, ["report", "--indexes", "--limit", "3"], env={"DATABASE_URL": spoiled_url}
    )

    assert done.exit_code == 0, done.output
    lines = done.output.splitlines()
    assert lines[1] == "invalid indexes (drop them: DROP INDEX CONCURRENTLY, then rebuild)"
    assert lines[2].startswith("  report_twice.report_invalid ")
    assert any(line.startswith("  orders: report_dup_a, report_dup_b ") for line in lines)
    tail = lines[lines.index("largest tables (with indexes and TOAST) and indexes") + 1 :]
    assert len(tail) == 3
