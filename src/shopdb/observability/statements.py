"""`shopdb report`: the statements that took the most time, from pg_stat_statements, under
the shopdb query names their leading comments carry (``/* shopdb:users.get */``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg

from shopdb.core.errors import ShopDBError
from shopdb.core.queries import Query, load_queries, sql_dir
from shopdb.core.runner import execute
from shopdb.core.timer import QueryTimer
from shopdb.settings import Settings

EXTENSION = "pg_stat_statements"
_NOT_LOADED = "55000"  # object_not_in_prerequisite_state: not in shared_preload_libraries
_SETUP = (
    "the server needs shared_preload_libraries = 'pg_stat_statements' (then a restart) and "
    "the database CREATE EXTENSION pg_stat_statements (by a superuser); "
    "see docs/observability.md"
)


class StatisticsUnavailable(ShopDBError):
    """pg_stat_statements cannot be read in this database; the message says what to set up."""


@dataclass(frozen=True, slots=True)
class StatementStats:
    """One shopdb query (``named``) or other statement, summed over pg_stat_statements."""

    name: str
    named: bool
    calls: int
    total_ms: float
    mean_ms: float | None
    rows: int


def extension_queries() -> dict[str, Query]:
    """The queries of sql/extensions/pg_stat_statements.sql (loaded apart from sql/*.sql:
    they can be prepared only where the extension is installed)."""
    return dict(load_queries(sql_dir() / "extensions")[EXTENSION])


def installed_version(conn: psycopg.Connection[Any], timer: QueryTimer) -> str | None:
    """The version of pg_stat_statements installed in ``conn``'s database, or None."""
    query = load_queries()["observability"]["extension_version"]
    version: str | None = execute(conn, query, {"name": EXTENSION}, timer)
    return version


def top_statements(
    conn: psycopg.Connection[Any], limit: int, timer: QueryTimer
) -> list[StatementStats]:
    """The ``limit`` statements of this database with the most execution time in all."""
    database = conn.info.dbname
    if installed_version(conn, timer) is None:
        raise StatisticsUnavailable(
            f"{EXTENSION} is not installed in database {database}: {_SETUP}"
        )
    query = extension_queries()["top_by_total_time"]
    try:
        rows = execute(conn, query, {"limit": limit}, timer)
    except ShopDBError as exc:
        if getattr(exc, "sqlstate", None) == _NOT_LOADED:
            raise StatisticsUnavailable(
                f"{EXTENSION} is installed in database {database} but the server has not "
                f"loaded it: {_SETUP}"
            ) from exc
        raise
    return [StatementStats(**row) for row in rows]


def format_report(stats: list[StatementStats]) -> str:
    """A plain table: query, calls, total ms, mean ms, rows, the slowest in all first."""
    lines = [f"{'query':48} {'calls':>9} {'total ms':>12} {'mean ms':>10} {'rows':>10}"]
    for s in stats:
        name = s.name if s.named else f"(not shopdb) {s.name}"
        mean = "-" if s.mean_ms is None else f"{s.mean_ms:.3f}"
        lines.append(f"{name[:48]:48} {s.calls:>9} {s.total_ms:>12.3f} {mean:>10} {s.rows:>10}")
    return "\n".join(lines)


def print_report(settings: Settings, limit: int, out: Callable[[str], None] = print) -> None:
    """`shopdb report`: the table of ``top_statements`` for the database of ``settings``."""
    from shopdb.check.connect import connect

    with connect(settings) as conn:
        stats = top_statements(conn, limit, QueryTimer(settings.slow_query_ms))
    out(f"top {limit} statements by total execution time in {settings.safe_url}")
    out(format_report(stats))
