"""`shopdb explain`: one named query's plan and time, measured inside a rolled-back transaction."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from aiosql.types import SQLOperationType
from psycopg import pq
from psycopg.errors import error_from_result

from shopdb.check.catalog import Catalog
from shopdb.check.describe import Refused, describe
from shopdb.core.errors import ShopDBError, translate
from shopdb.core.placeholders import number_placeholders
from shopdb.core.queries import Query, load_queries, sql_dir, tools_sql_dir
from shopdb.core.timer import QueryTimer

# The one statement this tool writes itself: EXPLAIN in front of a query from sql/.
_EXPLAIN = "EXPLAIN (ANALYZE, BUFFERS) "
_EXPLAIN_JSON = "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) "
_TIME = re.compile(r"^(Planning|Execution) Time: ([0-9.]+) ms$")


class ExplainError(ShopDBError):
    """The query cannot be explained as asked: unknown name, missing or extra parameters."""


@dataclass(frozen=True, slots=True)
class Plan:
    """EXPLAIN ANALYZE's lines, and its planning and execution times in milliseconds."""

    lines: tuple[str, ...]
    planning_ms: float | None
    execution_ms: float | None


def find_query(name: str, directory: Path | None = None) -> Query:
    """The query named ``namespace.query`` (``users.get``, ``admin.database_exists``) in
    ``directory``, else in sql/ and sql/tools/; ExplainError when there is none."""
    namespace, _, short = name.partition(".")
    folders = [directory] if directory is not None else [sql_dir(), tools_sql_dir()]
    query = next((q for d in folders if (q := load_queries(d).get(namespace, {}).get(short))), None)
    if query is None:
        raise ExplainError(f"no query named {name}: give namespace.query, as in users.get")
    return query


def explain(conn: psycopg.Connection[Any], query: Query, params: Mapping[str, Any]) -> Plan:
    """Run EXPLAIN (ANALYZE, BUFFERS) of ``query`` with ``params`` (JSON values, cast by the
    server to the parameter types it describes) and roll back whatever it did."""
    lines = _explained(conn, query, params, _EXPLAIN)
    times = {m.group(1): float(m.group(2)) for m in map(_TIME.match, lines) if m}
    return Plan(lines, times.get("Planning"), times.get("Execution"))


def explain_json(
    conn: psycopg.Connection[Any], query: Query, params: Mapping[str, Any]
) -> dict[str, Any]:
    """The same in FORMAT JSON: the one plan object (``Plan``, ``Execution Time``, ...)."""
    lines = _explained(conn, query, params, _EXPLAIN_JSON)
    plan: dict[str, Any] = json.loads("\n".join(lines))[0]
    return plan


def _explained(
    conn: psycopg.Connection[Any], query: Query, params: Mapping[str, Any], prefix: str
) -> tuple[str, ...]:
    if query.operation is SQLOperationType.SCRIPT:
        raise ExplainError(f"{query.name} is a script (#): scripts cannot be explained")
    numbered = number_placeholders(query.sql)
    missing = [name for name in numbered.names if name not in params]
    extra = [name for name in params if name not in numbered.names]
    if missing or extra:
        parts = [f"missing {', '.join(missing)}"] if missing else []
        parts += [f"unknown {', '.join(extra)}"] if extra else []
        raise ExplainError(f"{query.name}: parameters {'; '.join(parts)}")
    try:
        types = describe(conn, numbered.sql).parameter_types
    except Refused as exc:
        raise ExplainError(f"{query.name}: the server refuses it: {exc}") from None
    catalog = Catalog(conn, QueryTimer(10_000))
    values = [
        _text(catalog, oid, params[name]) for name, oid in zip(numbered.names, types, strict=True)
    ]
    encoding = conn.info.encoding
    with conn.transaction(force_rollback=True):
        result = conn.pgconn.exec_params(
            (prefix + numbered.sql).encode(encoding),
            [None if v is None else v.encode(encoding) for v in values],
            list(types),
        )
        if result.status != pq.ExecStatus.TUPLES_OK:
            raise translate(error_from_result(result, encoding), query.name, conn)
        return tuple(
            (result.get_value(row, 0) or b"").decode(encoding) for row in range(result.ntuples)
        )


def _text(catalog: Catalog, oid: int, value: Any) -> str | None:
    """``value`` (from JSON) in the text form the server reads for type ``oid``."""
    info = catalog.resolve(oid)
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if info is not None and info.name in ("json", "jsonb"):
        return json.dumps(value)
    if isinstance(value, list) and info is not None and info.category == "A":
        return "{" + ",".join(_element(catalog, info.element, item) for item in value) + "}"
    if isinstance(value, dict | list):
        kind = info.name if info else oid
        raise ExplainError(f"a JSON {type(value).__name__} does not fit a parameter of type {kind}")
    return str(value)


def _element(catalog: Catalog, oid: int, value: Any) -> str:
    text = _text(catalog, oid, value)
    if text is None:
        return "NULL"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
