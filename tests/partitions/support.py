"""Rows dated anywhere in time, and where they landed, for the partition tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import psycopg

from shopdb.partitions import PARTITIONED

NOW = datetime.now(UTC)


def months_from_now(months: int) -> datetime:
    """The 15th of the month ``months`` from this one (negative: before), noon UTC."""
    index = NOW.year * 12 + NOW.month - 1 + months
    return datetime(index // 12, index % 12 + 1, 15, 12, tzinfo=UTC)


def insert_dated(conn: psycopg.Connection[Any], table: str, label: str, at: datetime) -> None:
    """One row of ``table`` (audit_logs or security_events) dated ``at``, known by ``label``."""
    if table == "audit_logs":
        conn.execute(
            "INSERT INTO audit_logs (actor_type, action, entity, entity_id, created_at)"
            " VALUES ('SYSTEM', 'test', 'partition', %s, %s)",
            [label, at],
        )
    else:
        conn.execute(
            "INSERT INTO security_events (type, payload, created_at)"
            " VALUES ('PARTITION_TEST', jsonb_build_object('label', %s::text), %s)",
            [label, at],
        )


def homes(conn: psycopg.Connection[Any], table: str) -> dict[str, str]:
    """{label: the partition that holds its row}."""
    label = "entity_id" if table == "audit_logs" else "payload->>'label'"
    rows = conn.execute(
        f"SELECT {label}, tableoid::regclass::text FROM {table}"  # noqa: S608 -- fixed names
    ).fetchall()
    return dict(rows)


def partition_names(conn: psycopg.Connection[Any]) -> dict[str, list[str]]:
    """{table: its partitions, oldest first, the default last}."""
    return {
        table: [
            row[0]
            for row in conn.execute(
                "SELECT partition::text FROM month_partitions(%s::regclass)", [table]
            )
        ]
        for table in PARTITIONED
    }


def month_name(table: str, at: datetime) -> str:
    """The partition name of the month of ``at``: pg_partman's <table>_pYYYY_MM."""
    return f"{table}_p{at.year:04d}_{at.month:02d}"
