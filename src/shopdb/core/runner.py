"""Where a named query meets a connection: timing, error translation, one safe retry."""

from __future__ import annotations

from collections.abc import Callable
from time import perf_counter
from typing import Any, Protocol

import psycopg
from aiosql.types import SQLOperationType
from psycopg_pool import ConnectionPool, PoolClosed, PoolTimeout

from shopdb.core.errors import (
    ConnectionLost,
    DatabaseUnavailable,
    PoolExhausted,
    TransactionClosed,
    WriteOutcomeUnknown,
    translate,
)
from shopdb.core.queries import Query
from shopdb.core.timer import QueryTimer

_SELECT = SQLOperationType.SELECT
_COUNTED = (SQLOperationType.INSERT_UPDATE_DELETE, SQLOperationType.INSERT_UPDATE_DELETE_MANY)


class Runner(Protocol):
    """Runs one named query with its parameters and returns what aiosql returns for it."""

    def run(self, query: Query, params: dict[str, Any]) -> Any: ...


def execute(
    conn: psycopg.Connection[Any], query: Query, params: dict[str, Any], timer: QueryTimer
) -> Any:
    """Run ``query`` on ``conn`` under the timer; psycopg errors leave as shopdb errors."""
    start = perf_counter()
    try:
        result = query.fn(conn, **params)
        if query.operation is _SELECT:
            result = list(result)
    except psycopg.Error as exc:
        timer.observe(query.name, perf_counter() - start, None, failed=True)
        raise translate(exc, query.name, conn) from exc
    timer.observe(query.name, perf_counter() - start, _rows(query.operation, result))
    return result


def _rows(operation: SQLOperationType, result: Any) -> int | None:
    if operation is _SELECT:
        return len(result)
    if operation in _COUNTED:
        return int(result) if isinstance(result, int) else None
    return 0 if result is None else 1


class ConnectionRunner:
    """Runs every statement on one connection: the one of a transaction, until it ends."""

    def __init__(self, conn: psycopg.Connection[Any], timer: QueryTimer) -> None:
        self.connection: psycopg.Connection[Any] | None = conn
        self._timer = timer

    def run(self, query: Query, params: dict[str, Any]) -> Any:
        """Run one statement inside the transaction; no retry (the caller owns the unit)."""
        if self.connection is None:
            raise TransactionClosed(f"{query.name}: the transaction is over; start a new one")
        return execute(self.connection, query, params, self._timer)

    def close(self) -> None:
        """Refuse every later statement: the connection goes back to the pool."""
        self.connection = None


class PoolRunner:
    """Runs each statement on a pooled autocommit connection, taken for that statement only.

    No round trip checks a connection at checkout (it cost +60 us per call here): a
    connection the server killed fails its statement, the pool drops it, ``pool.check()``
    weeds out its idle siblings, and a read is run once more on a fresh connection. A write
    is never replayed: its outcome is unknown, and WriteOutcomeUnknown says so.
    """

    def __init__(
        self,
        pool: ConnectionPool[Any],
        timer: QueryTimer,
        timeout_s: float,
        connect: Callable[[], psycopg.Connection[Any]],
    ) -> None:
        self.pool = pool
        self._connect = connect
        self._timer = timer
        self.timeout_s = timeout_s

    def run(self, query: Query, params: dict[str, Any]) -> Any:
        """Run one statement; retry a read once if its connection turned out to be dead."""
        try:
            return self._run_once(query, params)
        except ConnectionLost as lost:
            self.pool.check()
            if not query.is_read:
                raise WriteOutcomeUnknown(
                    f"{query.name}: the connection broke during the write; "
                    "it may or may not have been applied"
                ) from lost
        return self._run_once(query, params)

    def _run_once(self, query: Query, params: dict[str, Any]) -> Any:
        try:
            with self.pool.connection(timeout=self.timeout_s) as conn:
                return execute(conn, query, params, self._timer)
        except (PoolTimeout, PoolClosed) as exc:
            raise self.checkout_failed(exc) from exc

    def checkout_failed(self, exc: Exception) -> DatabaseUnavailable:
        """The error for a failed checkout: a closed pool, a busy one or an unreachable server."""
        pool = self.pool
        if isinstance(exc, PoolClosed):
            return DatabaseUnavailable(f"pool {pool.name} is not open: call Database.open()")
        waited = f"{self.timeout_s * 1000:.0f} ms"
        if self._server_answers() and pool.get_stats().get("pool_size", 0) >= pool.max_size:
            return PoolExhausted(
                f"no connection free within {waited}: all {pool.max_size} connections "
                f"of pool {pool.name} are busy (DATABASE_POOL_MAX={pool.max_size})"
            )
        return DatabaseUnavailable(
            f"no connection to the database within {waited}: the server is unreachable "
            f"or refusing connections (pool {pool.name})"
        )

    def _server_answers(self) -> bool:
        # Only after a checkout timed out: one direct attempt tells a busy pool from a dead server.
        try:
            with self._connect():
                return True
        except psycopg.Error:
            return False
