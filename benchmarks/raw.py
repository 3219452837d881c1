"""The baseline: the very statement of a named query, run on raw psycopg from the same pool.

No SQL is written here: each function takes a ``Query`` from ``load_queries()`` and runs its
``sql`` (aiosql's text, ``:id`` already turned into ``%(id)s``) with psycopg's own ``class_row``
into the same pydantic model the repository returns. What the repository adds on top of this
(aiosql's wrapper, the query timer, error translation, dict rows mapped to the model) is
exactly what the benchmarks compare.
"""

from __future__ import annotations

from typing import Any

from psycopg.rows import class_row
from psycopg_pool import ConnectionPool

from shopdb.core.queries import Query
from shopdb.models.users import User


def fetch_user(pool: ConnectionPool[Any], query: Query, params: dict[str, Any]) -> User | None:
    """Run ``query`` on a pooled connection and map its one row (or none) to a User."""
    with pool.connection() as conn, conn.cursor(row_factory=class_row(User)) as cur:
        cur.execute(query.sql, params)
        user: User | None = cur.fetchone()
        return user
