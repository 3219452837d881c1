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

from shopdb.core.errors import InvalidInput
from shopdb.core.queries import Query, load_queries, tools_sql_dir
from shopdb.core.runner import execute
from shopdb.core.timer import QueryTimer

PARTITIONED = ("audit_logs", "security_events")


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
    for field, value in (("premake_months", premake_months), ("retention_months", retention_months)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidInput(
                f"{field} must be an integer >= 1",
                errors=[{"field": field, "message": "must be an integer >= 1", "type": "int"}],
            )
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


def partitions(conn: psycopg.Connection[Any], timer: QueryTimer, table: str) -> list[Partition]:
    """The partitions of ``table``, oldest first, the default last."""
    rows = execute(conn, _queries()["list_partitions"], {"parent": table}, timer)
    return [Partition(**row) for row in rows]


def default_rows(conn: psycopg.Connection[Any], timer: QueryTimer) -> dict[str, int]:
    """{table: rows in its default partition}: each is a row whose month had no partition."""
    rows = execute(conn, _queries()["default_rows"], {}, timer)
    return {row["parent"]: row["rows"] for row in rows}
