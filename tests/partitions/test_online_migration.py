"""Migrations 0101-0104 with rows in security_events: partitioned, every row keeps its place
in time (the old ones in security_events_legacy, which the migration bounds after the latest
row), and the rollback puts every row back into one plain table, then the migration again."""

from __future__ import annotations

from typing import Any

import psycopg

from shopdb import Settings, migrations
from tests.partitions.support import homes, insert_dated, months_from_now

BEFORE = "0100_month_partitions"
DATES = {"behind_40": -40, "behind_5": -5, "now": 0, "ahead_1": 1}


def _rows(conn: psycopg.Connection[Any]) -> list[tuple[Any, ...]]:
    return conn.execute(
        "SELECT id, user_id, type, payload, created_at, updated_at FROM security_events ORDER BY id"
    ).fetchall()


def _partitioned(conn: psycopg.Connection[Any]) -> bool:
    row = conn.execute(
        "SELECT relkind = 'p' FROM pg_class WHERE oid = 'security_events'::regclass"
    ).fetchone()
    return bool(row and row[0])


def test_rows_survive_the_partitioning_its_rollback_and_its_redo(db_url: str) -> None:
    settings = Settings(database_url=db_url)
    migrations.rollback(settings, to=BEFORE)
    with psycopg.connect(db_url, autocommit=True) as conn:
        assert not _partitioned(conn)
        for label, months in DATES.items():
            insert_dated(conn, "security_events", label, months_from_now(months))
        stored = _rows(conn)

    migrations.apply(settings)
    with psycopg.connect(db_url, autocommit=True) as conn:
        assert _partitioned(conn)
        assert _rows(conn) == stored
        assert set(homes(conn, "security_events").values()) == {"security_events_legacy"}
        # A new row of a month after the bound goes to its monthly partition.
        insert_dated(conn, "security_events", "ahead_3", months_from_now(3))
        assert homes(conn, "security_events")["ahead_3"] == (
            f"security_events_p{months_from_now(3):%Y_%m}"
        )
        with_new = _rows(conn)

    migrations.rollback(settings, to=BEFORE)
    with psycopg.connect(db_url, autocommit=True) as conn:
        assert not _partitioned(conn)
        assert _rows(conn) == with_new

    migrations.apply(settings)
    with psycopg.connect(db_url, autocommit=True) as conn:
        assert _partitioned(conn)
        assert _rows(conn) == with_new
