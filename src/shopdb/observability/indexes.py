"""`shopdb report --indexes`: unused, duplicate and invalid indexes, and the largest tables and
indexes, from the catalog and pg_stat_user_indexes of the current database."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import psycopg

from shopdb.core.queries import Query, load_queries, tools_sql_dir
from shopdb.core.runner import execute
from shopdb.core.timer import QueryTimer
from shopdb.settings import Settings


@dataclass(frozen=True, slots=True)
class IndexHealth:
    """What the report found; each list as its query returns it (plain dict rows)."""

    unused: list[dict[str, Any]]
    duplicates: list[dict[str, Any]]
    invalid: list[dict[str, Any]]
    largest: list[dict[str, Any]]


def _queries() -> Mapping[str, Query]:
    return load_queries(tools_sql_dir())["indexes"]


def index_health(conn: psycopg.Connection[Any], timer: QueryTimer, limit: int) -> IndexHealth:
    """The four lists; ``limit`` bounds the largest relations."""
    queries = _queries()
    return IndexHealth(
        unused=execute(conn, queries["unused_indexes"], {}, timer),
        duplicates=execute(conn, queries["duplicate_indexes"], {}, timer),
        invalid=execute(conn, queries["invalid_indexes"], {}, timer),
        largest=execute(conn, queries["largest_relations"], {"limit": limit}, timer),
    )


def _size(n: int) -> str:
    """Bytes in B, kB, MB or GB (powers of 1024)."""
    if n < 1024:
        return f"{n} B"
    size = n / 1024
    for unit in ("kB", "MB"):
        if size < 1024:
            return f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


def format_health(health: IndexHealth) -> str:
    """The report as plain text, one section per list ("none" when a list is empty)."""
    out: list[str] = ["invalid indexes (drop them: DROP INDEX CONCURRENTLY, then rebuild)"]
    out += [f"  {r['table_name']}.{r['index_name']}  {_size(r['bytes'])}" for r in health.invalid]
    out += ["  none"] * (not health.invalid)
    out.append("duplicate indexes (keep one of each set)")
    out += [
        f"  {r['table_name']}: {', '.join(r['index_names'])}  {_size(r['bytes'])}"
        for r in health.duplicates
    ]
    out += ["  none"] * (not health.duplicates)
    out.append(
        "unused indexes (no scan since the statistics were reset; keys and unique rules left out)"
    )
    out += [f"  {r['table_name']}.{r['index_name']}  {_size(r['bytes'])}" for r in health.unused]
    out += ["  none"] * (not health.unused)
    out.append("largest tables (with indexes and TOAST) and indexes")
    out += [
        f"  {r['kind']:5} {r['name']:48} {_size(r['bytes']):>10}  ~{r['estimated_rows']} rows"
        for r in health.largest
    ]
    return "\n".join(out)


def print_index_report(settings: Settings, limit: int, out: Callable[[str], None] = print) -> None:
    """`shopdb report --indexes` for the database of ``settings``."""
    from shopdb.check.connect import connect

    with connect(settings) as conn:
        health = index_health(conn, QueryTimer(settings.slow_query_ms), limit)
    out(f"index health of {settings.safe_url}")
    out(format_health(health))
