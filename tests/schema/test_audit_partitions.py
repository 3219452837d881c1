"""audit_logs: monthly partitions on created_at, a default partition, and the function that
creates months ahead."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest

from shopdb.errors import ConstraintViolation
from tests.schema.rows import Rows
from tests.schema.support import refused


def partitions(conn: psycopg.Connection[Any]) -> dict[str, str]:
    """{partition: its bound} of audit_logs."""
    found = conn.execute(
        """SELECT c.relname, pg_get_expr(c.relpartbound, c.oid)
             FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'audit_logs'::regclass"""
    ).fetchall()
    return dict(found)


def home(conn: psycopg.Connection[Any], entity_id: str) -> str:
    """The partition that holds the audit row of this entity."""
    row = conn.execute(
        "SELECT tableoid::regclass::text FROM audit_logs WHERE entity_id = %s", [entity_id]
    ).fetchone()
    assert row is not None
    return str(row[0])


def month_name(moment: datetime) -> str:
    """The partition name for the month of ``moment`` (UTC)."""
    return f"audit_logs_p{moment.year:04d}_{moment.month:02d}"


def test_the_migration_created_this_month_three_ahead_and_a_default(
    conn: psycopg.Connection[Any],
) -> None:
    now = datetime.now(UTC)
    months = [(now.year + (now.month - 1 + step) // 12, (now.month - 1 + step) % 12 + 1)
              for step in range(4)]  # fmt: skip
    expected = {f"audit_logs_p{year:04d}_{month:02d}" for year, month in months}
    conn.execute("SET LOCAL TimeZone = 'UTC'")

    found = partitions(conn)

    assert set(found) == expected | {"audit_logs_default"}
    assert found["audit_logs_default"] == "DEFAULT"
    assert found[month_name(now)].startswith(f"FOR VALUES FROM ('{now:%Y-%m}-01 00:00:00+00')")


def test_creating_partitions_again_creates_none(conn: psycopg.Connection[Any]) -> None:
    before = partitions(conn)

    created = conn.execute("SELECT audit_logs_create_partitions(3)").fetchone()

    assert created == (0,)
    assert partitions(conn) == before


def test_a_row_of_a_month_without_partition_goes_to_the_default_partition(
    conn: psycopg.Connection[Any], rows: Rows
) -> None:
    rows.insert("audit_logs", entity_id="far-future", created_at=datetime(2031, 5, 2, tzinfo=UTC))

    assert home(conn, "far-future") == "audit_logs_default"


def test_a_new_month_takes_its_rows_from_the_default_partition(
    conn: psycopg.Connection[Any], rows: Rows
) -> None:
    rows.insert("audit_logs", entity_id="may", created_at=datetime(2031, 5, 2, tzinfo=UTC))
    rows.insert("audit_logs", entity_id="june", created_at=datetime(2031, 6, 2, tzinfo=UTC))

    created = conn.execute(
        "SELECT audit_logs_create_partitions(0, %s)", [datetime(2031, 5, 20, tzinfo=UTC)]
    ).fetchone()

    assert created == (1,)
    assert home(conn, "may") == "audit_logs_p2031_05"
    assert home(conn, "june") == "audit_logs_default"
    assert conn.execute("SELECT count(*) FROM audit_logs").fetchone() == (2,)


def test_a_new_partition_has_the_indexes_trigger_and_comment_of_the_table(
    conn: psycopg.Connection[Any],
) -> None:
    conn.execute("SELECT audit_logs_create_partitions(0, %s)", [datetime(2032, 1, 1, tzinfo=UTC)])

    indexes = conn.execute(
        "SELECT count(*) FROM pg_index WHERE indrelid = 'audit_logs_p2032_01'::regclass"
    ).fetchone()
    triggers = conn.execute(
        """SELECT tgname FROM pg_trigger
            WHERE tgrelid = 'audit_logs_p2032_01'::regclass AND NOT tgisinternal"""
    ).fetchall()
    comment = conn.execute(
        "SELECT obj_description('audit_logs_p2032_01'::regclass, 'pg_class')"
    ).fetchone()

    assert indexes == (4,)  # primary key, user_id, (entity, entity_id, created_at), created_at
    assert sorted(triggers) == [("audit_logs_append_only_check",), ("audit_logs_set_updated_at",)]
    assert comment == ("Rows of audit_logs of 2032-01 (UTC).",)


def test_months_ahead_cannot_be_negative(conn: psycopg.Connection[Any]) -> None:
    with pytest.raises(psycopg.errors.InvalidParameterValue), conn.transaction():
        conn.execute("SELECT audit_logs_create_partitions(-1)")


def test_the_history_of_an_entity_in_a_month_reads_only_that_month(
    conn: psycopg.Connection[Any],
) -> None:
    now = datetime.now(UTC)
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)

    plan = conn.execute(
        """EXPLAIN SELECT id, action, created_at FROM audit_logs
            WHERE entity = 'orders' AND entity_id = 'x'
              AND created_at >= %s AND created_at < %s
            ORDER BY created_at""",
        [start, end],
    ).fetchall()
    text = "\n".join(line for (line,) in plan)

    scanned = {name for name in partitions(conn) if name in text}
    assert scanned == {month_name(now)}


@pytest.mark.parametrize(
    "change",
    [
        "UPDATE audit_logs SET action = 'rewritten' WHERE id = %s",
        "DELETE FROM audit_logs WHERE id = %s",
    ],
)
def test_an_audit_entry_can_be_neither_rewritten_nor_deleted(
    conn: psycopg.Connection[Any], rows: Rows, change: str
) -> None:
    entry = rows.insert("audit_logs")

    error = refused(conn, lambda: conn.execute(change, [entry["id"]]))

    assert isinstance(error, ConstraintViolation)
    assert error.constraint == "audit_logs_append_only_check"
    kept = conn.execute("SELECT action FROM audit_logs WHERE id = %s", [entry["id"]]).fetchone()
    assert kept == (entry["action"],)


def test_deleting_the_actor_keeps_its_audit_entries_without_the_user(
    conn: psycopg.Connection[Any], rows: Rows
) -> None:
    user = rows.id("users")
    entry = rows.insert("audit_logs", user_id=user)

    conn.execute("DELETE FROM users WHERE id = %s", [user])

    kept = conn.execute(
        "SELECT user_id, action FROM audit_logs WHERE id = %s", [entry["id"]]
    ).fetchone()
    assert kept == (None, entry["action"])
