"""The data set `shopdb budgets --generate N` makes for the plan assertions: N users, one live
session and one order each, inserted by the server itself (generate_series), then ANALYZE.

The plans the budgets name are those PostgreSQL chooses at full size (10M users,
benchmarks/scale_data.py); the smallest data set on which it already chooses them all is
recorded as CI_USERS (docs/budgets.md says how it was found)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import psycopg

from shopdb.core.queries import Query, load_queries, tools_sql_dir
from shopdb.core.runner import execute
from shopdb.core.timer import QueryTimer

# Found by `shopdb budgets --generate N` on fresh databases (docs/budgets.md): at 200 users
# the users table fits a few pages and the planner scans it whole; from 400 on every budgeted
# query takes its full-size plan. CI runs on 1,000 (margin for wider rows), in about a second.
SMALLEST_USERS = 400
CI_USERS = 1_000


def _queries() -> Mapping[str, Query]:
    return load_queries(tools_sql_dir())["budgets"]


def generate(conn: psycopg.Connection[Any], timer: QueryTimer, users: int) -> float:
    """Add ``users`` users with a session and an order each (one transaction), then ANALYZE;
    the seconds it took."""
    queries = _queries()
    started = time.perf_counter()
    with conn.transaction():
        execute(conn, queries["fill_users"], {"users": users}, timer)
        execute(conn, queries["fill_sessions"], {}, timer)
        execute(conn, queries["fill_orders"], {}, timer)
    execute(conn, queries["analyze_hot_tables"], {}, timer)
    return time.perf_counter() - started


def user_count(conn: psycopg.Connection[Any], timer: QueryTimer) -> int:
    """How many users the database holds."""
    count: int = execute(conn, _queries()["user_count"], {}, timer)
    return count


def sample_values(conn: psycopg.Connection[Any], timer: QueryTimer) -> dict[str, Any]:
    """A value for each parameter name the budgeted queries use: a user from the middle of
    the set that has a session and an order, and the first keyset page."""
    row = execute(conn, _queries()["sample"], {}, timer)
    if row is None:
        raise LookupError("the database holds no user with a session and an order")
    return {
        "id": str(row["user_id"]),
        "user_id": str(row["user_id"]),
        "email": row["email"],
        "refresh_token_hash": row["refresh_token_hash"],
        "after_created_at": "infinity",
        "after_id": "ffffffff-ffff-ffff-ffff-ffffffffffff",
        "limit": 20,
    }
