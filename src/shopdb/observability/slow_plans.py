"""The generic plan of a slow query, for its slow-query record (SLOW_QUERY_EXPLAIN).

PostgreSQL 15 has no EXPLAIN (GENERIC_PLAN). The statement is prepared under its own name with
its placeholders ($1, $2, ...), ``plan_cache_mode`` is set to ``force_generic_plan`` for a
savepoint (or a transaction on an autocommit connection), and ``EXPLAIN EXECUTE`` is given
NULL for every parameter: a generic plan is made without looking at the values, so the plan
shows ``$1`` where a value goes and no value of the caller ever reaches the server again or
the log. (EXPLAIN with the real values would print them as constants in the plan.) EXPLAIN
without ANALYZE runs nothing, writes included. Everything happens on the connection the query
just ran on, so search_path and temporary tables are the query's own; the savepoint is rolled
back and the statement deallocated, so the caller's transaction goes on as it was.
"""

from __future__ import annotations

from typing import Any

import psycopg
from aiosql.types import SQLOperationType
from psycopg import pq, sql
from psycopg.errors import error_from_result

from shopdb.core.placeholders import number_placeholders
from shopdb.core.queries import Query, load_queries
from shopdb.core.runner import execute
from shopdb.core.timer import QueryTimer

STATEMENT = "shopdb_slow_plan"
_USABLE = (pq.TransactionStatus.IDLE, pq.TransactionStatus.INTRANS)
# Its own timer: the lookups of this module are never explained themselves.
_TIMER = QueryTimer(10_000)


def generic_plan(conn: psycopg.Connection[Any], query: Query) -> str | None:
    """EXPLAIN's lines for ``query``'s generic plan; None when ``conn`` cannot explain now
    (broken, or inside a failed transaction); a one-line reason when the server refuses."""
    if conn.closed or conn.broken or conn.info.transaction_status not in _USABLE:
        return None
    if query.operation is SQLOperationType.SCRIPT:
        return "no plan: a script (#) is not explained"
    numbered = number_placeholders(query.sql)
    encoding = conn.info.encoding
    prepared = False
    try:
        try:
            with conn.transaction(force_rollback=True):
                execute(conn, load_queries()["observability"]["force_generic_plan"], {}, _TIMER)
                result = conn.pgconn.prepare(STATEMENT.encode(), numbered.sql.encode(encoding))
                if result.status != pq.ExecStatus.COMMAND_OK:
                    raise error_from_result(result, encoding)
                prepared = True
                with conn.cursor() as cursor:
                    cursor.execute(_explain(len(numbered.names)), prepare=False)
                    lines = [str(row[0]) for row in cursor.fetchall()]
        finally:
            if prepared:
                conn.execute(sql.SQL("DEALLOCATE {}").format(sql.Identifier(STATEMENT)))
    except psycopg.Error as exc:
        return f"no plan: the server refused to explain it (SQLSTATE {exc.sqlstate or 'none'})"
    return "\n".join(lines)


def _explain(parameters: int) -> sql.Composed:
    name = sql.Identifier(STATEMENT)
    if not parameters:
        return sql.SQL("EXPLAIN EXECUTE {}").format(name)
    nulls = sql.SQL(", ").join([sql.NULL] * parameters)
    return sql.SQL("EXPLAIN EXECUTE {}({})").format(name, nulls)
