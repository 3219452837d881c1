"""`shopdb partitions maintain`: months made ahead, rows of every date accepted, rows that came
early moved into their month, partitions past retention detached and dropped; the default
partition's rows counted for the gauge (issue 19, point 4)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner
from prometheus_client import REGISTRY

from shopdb.cli import main
from shopdb.core.timer import QueryTimer
from shopdb.errors import InvalidInput
from shopdb.observability.partition_metrics import DefaultRowsSampler
from shopdb.partitions import PARTITIONED, default_rows, maintain, partitions
from shopdb.settings import Settings
from tests.partitions.support import (
    NOW,
    homes,
    insert_dated,
    month_name,
    months_from_now,
    partition_names,
)

TIMER = QueryTimer(200)
# Months from now of each row: years behind, the edges of what exists, months and years ahead.
DATES = {"behind_40": -40, "behind_5": -5, "now": 0, "ahead_2": 2, "ahead_14": 14, "ahead_120": 120}


@pytest.fixture
def conn(db_url: str) -> Any:
    with psycopg.connect(db_url, autocommit=True) as connection:
        yield connection


def _fill(conn: psycopg.Connection[Any]) -> None:
    for table in PARTITIONED:
        for label, months in DATES.items():
            insert_dated(conn, table, label, months_from_now(months))


def test_rows_dated_years_behind_and_ahead_are_all_stored(conn: psycopg.Connection[Any]) -> None:
    _fill(conn)  # no insert fails

    audit, events = homes(conn, "audit_logs"), homes(conn, "security_events")
    assert set(audit) == set(events) == set(DATES)
    assert audit["now"] == month_name("audit_logs", NOW)
    assert audit["ahead_2"] == month_name("audit_logs", months_from_now(2))
    for label in ("behind_40", "behind_5", "ahead_14", "ahead_120"):
        assert audit[label] == "audit_logs_default", label
    # Rows older than the partitioning live in the partition of everything before it.
    for label in ("behind_40", "behind_5", "now"):
        assert events[label] == "security_events_legacy", label
    assert events["ahead_14"] == events["ahead_120"] == "security_events_default"
    assert default_rows(conn, TIMER) == {"audit_logs": 4, "security_events": 2}


def test_maintain_makes_the_months_ahead_and_is_idempotent(conn: psycopg.Connection[Any]) -> None:
    first = maintain(conn, TIMER, premake_months=6, retention_months=24)
    again = maintain(conn, TIMER, premake_months=6, retention_months=24)

    names = partition_names(conn)
    for table in PARTITIONED:
        for months in range(3, 7):  # the migrations made the first ones
            assert month_name(table, months_from_now(months)) in names[table]
        assert names[table][-1] == f"{table}_default"
    # audit_logs had months 0-3 (0010), security_events months 2-4 (0104, after its legacy one)
    assert [m.created for m in first] == [3, 2]
    assert [(m.created, m.dropped) for m in again] == [(0, ()), (0, ())]


def test_a_month_made_later_takes_its_rows_from_the_default_partition(
    conn: psycopg.Connection[Any],
) -> None:
    _fill(conn)

    maintain(conn, TIMER, premake_months=3, retention_months=120, at=months_from_now(12))

    for table in PARTITIONED:
        found = homes(conn, table)
        assert found["ahead_14"] == month_name(table, months_from_now(14)), table
        assert set(found) == set(DATES), table  # nothing lost
    assert default_rows(conn, TIMER) == {"audit_logs": 3, "security_events": 1}


def test_partitions_past_retention_are_detached_and_dropped(conn: psycopg.Connection[Any]) -> None:
    _fill(conn)
    later = months_from_now(30)
    maintain(conn, TIMER, premake_months=3, retention_months=24, at=months_from_now(12))

    done = maintain(conn, TIMER, premake_months=3, retention_months=24, at=later)

    dropped = {m.table: m.dropped for m in done}
    cutoff = months_from_now(30 - 24)
    for table in PARTITIONED:
        for p in partitions(conn, TIMER, table):
            assert p.is_default or p.high is None or p.high > cutoff.replace(day=1, hour=0), p
    assert month_name("audit_logs", NOW) in dropped["audit_logs"]
    assert "security_events_legacy" in dropped["security_events"]
    # The rows of the dropped months went with them; the others stayed.
    assert set(homes(conn, "security_events")) == {"ahead_14", "ahead_120"}
    assert set(homes(conn, "audit_logs")) == {"behind_40", "behind_5", "ahead_14", "ahead_120"}


def test_refused_figures_write_nothing(conn: psycopg.Connection[Any]) -> None:
    before = partition_names(conn)
    with pytest.raises(InvalidInput, match="retention_months must be an integer >= 1"):
        maintain(conn, TIMER, premake_months=3, retention_months=0)
    with pytest.raises(InvalidInput, match="premake_months must be an integer >= 1"):
        maintain(conn, TIMER, premake_months=0, retention_months=24)
    assert partition_names(conn) == before


def test_the_gauge_counts_the_rows_of_each_default_partition(
    conn: psycopg.Connection[Any], db_url: str
) -> None:
    insert_dated(conn, "audit_logs", "far", NOW + timedelta(days=3650))
    sampler = DefaultRowsSampler(Settings(database_url=db_url))
    try:
        assert sampler.sample() == {"audit_logs": 1, "security_events": 0}
    finally:
        sampler.close()

    value = REGISTRY.get_sample_value("shopdb_partition_default_rows", {"table": "audit_logs"})
    assert value == 1


def test_the_commands_maintain_and_list(db_url: str) -> None:
    runner, env = CliRunner(), {"DATABASE_URL": db_url}
    done = runner.invoke(main, ["partitions", "maintain"], env=env)
    listed = runner.invoke(main, ["partitions", "list"], env=env)

    assert done.exit_code == 0, done.output
    assert done.output.splitlines() == [
        "audit_logs: 0 partition(s) made, dropped: none",
        "security_events: 0 partition(s) made, dropped: none",
    ]
    assert listed.exit_code == 0, listed.output
    assert "security_events_legacy" in listed.output
    assert listed.output.splitlines()[-2:] == [
        "audit_logs: 0 row(s) in the default partition",
        "security_events: 0 row(s) in the default partition",
    ]
