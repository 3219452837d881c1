"""The monthly partitions of audit_logs and security_events, kept ahead and dropped past
retention: `shopdb partitions maintain` (where pg_partman does not run, docs/partitions.md),
the listing of `shopdb partitions list`, and the rows their default partitions hold (the
``shopdb_partition_default_rows`` gauge of `shopdb metrics-serve`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg

from shopdb.core.errors import InvalidInput, ShopDBError
from shopdb.core.queries import Query, load_queries, sql_dir, tools_sql_dir
from shopdb.core.runner import execute
from shopdb.core.timer import QueryTimer

PARTITIONED = ("audit_logs", "security_events")


class PartmanUnavailable(ShopDBError):
    """pg_partman is not installed in this database (in schema partman); the message says how."""


@dataclass(frozen=True, slots=True)
class Maintenance:
    """What one run did to one table."""

    table: str
    created: int
    dropped: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Partition:
    """One partition and its bounds (None: unbounded, and both None for the default
    partition); rows as estimated by the last ANALYZE."""

    name: str
    low: datetime | None
    high: datetime | None
    is_default: bool
    estimated_rows: int


def _queries() -> Mapping[str, Query]:
    return load_queries(tools_sql_dir())["partitions"]


def maintain(
    conn: psycopg.Connection[Any],
    timer: QueryTimer,
    *,
    premake_months: int,
    retention_months: int,
    at: datetime | None = None,
) -> list[Maintenance]:
    """For each partitioned table, one transaction each: the months from that of ``at`` (now)
    to ``premake_months`` later made, then the partitions older than ``retention_months``
    whole months before it detached and dropped. Locks are waited for 5 s at most.
    InvalidInput (nothing done) for a figure below 1."""
    _at_least_one("premake_months", premake_months)
    _at_least_one("retention_months", retention_months)
    moment = at or datetime.now(UTC)
    queries = _queries()
    execute(conn, queries["lock_briefly"], {}, timer)
    done: list[Maintenance] = []
    for table in PARTITIONED:
        with conn.transaction():
            created = execute(
                conn,
                queries["create_ahead"],
                {"parent": table, "months_ahead": premake_months, "at": moment},
                timer,
            )
            dropped = execute(
                conn,
                queries["drop_old"],
                {"parent": table, "retention_months": retention_months, "at": moment},
                timer,
            )
        done.append(Maintenance(table, created["created"], tuple(dropped["dropped"])))
    return done


def hand_to_partman(
    conn: psycopg.Connection[Any],
    timer: QueryTimer,
    *,
    premake_months: int,
    retention_months: int,
    schedule: str | None,
) -> int | None:
    """Hand both tables to pg_partman (partman_adopt, migration 0105) in one transaction;
    with a ``schedule`` and pg_cron installed in this database, schedule
    partman.run_maintenance() on it. The cron job's id, or None when none was scheduled."""
    _at_least_one("premake_months", premake_months)
    _at_least_one("retention_months", retention_months)
    if not _installed(conn, timer, "pg_partman"):
        raise PartmanUnavailable(
            f"pg_partman is not installed in database {conn.info.dbname}: apt-get install "
            "postgresql-15-partman, then CREATE SCHEMA partman; CREATE EXTENSION pg_partman "
            "SCHEMA partman (docs/partitions.md); or run `shopdb partitions maintain` instead"
        )
    with conn.transaction():
        for table in PARTITIONED:
            execute(
                conn,
                _queries()["adopt_by_partman"],
                {"parent": table, "premake": premake_months, "retention_months": retention_months},
                timer,
            )
    if schedule is None or not _installed(conn, timer, "pg_cron"):
        return None
    query = load_queries(sql_dir() / "extensions")["pg_cron"]["schedule_partman_maintenance"]
    row = execute(conn, query, {"schedule": schedule}, timer)
    job_id: int = row["job_id"]
    return job_id


def _installed(conn: psycopg.Connection[Any], timer: QueryTimer, extension: str) -> bool:
    lookup = load_queries()["observability"]["extension_version"]
    return execute(conn, lookup, {"name": extension}, timer) is not None


def _at_least_one(field: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput(
            f"{field} must be an integer >= 1",
            errors=[{"field": field, "message": "must be an integer >= 1", "type": "int"}],
        )


def partitions(conn: psycopg.Connection[Any], timer: QueryTimer, table: str) -> list[Partition]:
    """The partitions of ``table``, oldest first, the default last."""
    rows = execute(conn, _queries()["list_partitions"], {"parent": table}, timer)
    return [Partition(**row) for row in rows]


def default_rows(conn: psycopg.Connection[Any], timer: QueryTimer) -> dict[str, int]:
    """{table: rows in its default partition}: each is a row whose month had no partition."""
    rows = execute(conn, _queries()["default_rows"], {}, timer)
    return {row["parent"]: row["rows"] for row in rows}
