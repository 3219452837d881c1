"""Where a named query meets a connection: timing, error translation, one safe retry."""

from __future__ import annotations

import select
from collections.abc import Awaitable, Callable, Iterable, Sequence
from time import monotonic, perf_counter
from typing import Any, Protocol

import psycopg
from aiosql.types import SQLOperationType
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool, PoolClosed, PoolTimeout

from shopdb.core.errors import (
    ConnectionLost,
    DatabaseUnavailable,
    PoolExhausted,
    ReadOnlyServer,
    TransactionClosed,
    WriteOutcomeUnknown,
    translate,
)
from shopdb.core.pool_async import AsyncPooledConnection, AsyncShopPool
from shopdb.core.pool_probe import ServerProbe
from shopdb.core.queries import Query
from shopdb.core.timer import QueryTimer

_SELECT = SQLOperationType.SELECT
_COUNTED = (SQLOperationType.INSERT_UPDATE_DELETE, SQLOperationType.INSERT_UPDATE_DELETE_MANY)


class AsyncRunner(Protocol):
    """Runs one named query with its parameters and returns what aiosql returns for it."""

    async def run(self, query: Query, params: Any) -> Any: ...


async def execute(
    conn: psycopg.AsyncConnection[Any], query: Query, params: Any, timer: QueryTimer
) -> Any:
    """Run ``query`` on ``conn`` under the timer (in a span of its own when tracing is on);
    psycopg errors leave as shopdb errors.

    The statement runs on the connection's kept cursor (its loaders and dumpers survive from
    call to call), straight from the query's SQL: aiosql loads and names the queries, its
    per-call layer is skipped. What comes back is what aiosql's callable returns (see Runner).
    """
    tracer = timer.tracer
    if tracer is None:
        return await _timed(conn, query, params, timer)
    with tracer.span(query, conn):
        return await _timed(conn, query, params, timer)


async def _timed(
    conn: psycopg.AsyncConnection[Any], query: Query, params: Any, timer: QueryTimer
) -> Any:
    run = _BY_OPERATION[query.operation]
    start = perf_counter()
    try:
        if isinstance(conn, AsyncPooledConnection):
            result = await run(conn.kept_cursor(), query, params)
        else:
            async with conn.cursor(row_factory=dict_row) as cursor:
                result = await run(cursor, query, params)
    except psycopg.Error as exc:
        elapsed = perf_counter() - start
        plan = await timer.aslow_plan(conn, query) if elapsed > timer.slow_query_s else None
        timer.observe(query.name, elapsed, None, failed=True, plan=plan)
        failure = translate(exc, query.name, conn, query.rules)
    else:
        elapsed = perf_counter() - start
        plan = await timer.aslow_plan(conn, query) if elapsed > timer.slow_query_s else None
        timer.observe(query.name, elapsed, _rows(query.operation, result), plan=plan)
        return result
    # Raised outside the handler: psycopg's error, whose DETAIL quotes the values (a
    # duplicate email, a card token), is neither the cause nor the context of ours.
    raise failure


async def copy_rows(
    conn: psycopg.AsyncConnection[Any],
    query: Query,
    rows: Iterable[Sequence[Any]],
    timer: QueryTimer,
) -> int:
    """Stream ``rows`` through ``query``, a ``COPY ... FROM STDIN``, under the timer; returns
    how many rows were sent. psycopg errors leave as shopdb errors."""
    start = perf_counter()
    sent = 0
    try:
        async with conn.cursor() as cursor, cursor.copy(query.sql) as copy:
            for row in rows:
                await copy.write_row(row)
                sent += 1
    except psycopg.Error as exc:
        timer.observe(query.name, perf_counter() - start, None, failed=True)
        failure = translate(exc, query.name, conn, query.rules)
    else:
        timer.observe(query.name, perf_counter() - start, sent)
        return sent
    raise failure


Statement = Callable[[psycopg.AsyncCursor[DictRow], Query, Any], Awaitable[Any]]


async def _all(cursor: psycopg.AsyncCursor[DictRow], query: Query, params: dict[str, Any]) -> Any:
    await cursor.execute(query.sql, params, prepare=query.prepare)
    return await cursor.fetchall()


async def _one(cursor: psycopg.AsyncCursor[DictRow], query: Query, params: dict[str, Any]) -> Any:
    await cursor.execute(query.sql, params, prepare=query.prepare)
    return await cursor.fetchone()


async def _value(cursor: psycopg.AsyncCursor[DictRow], query: Query, params: dict[str, Any]) -> Any:
    await cursor.execute(query.sql, params, prepare=query.prepare)
    row = await cursor.fetchone()
    return next(iter(row.values())) if row else None


async def _rowcount(
    cursor: psycopg.AsyncCursor[DictRow], query: Query, params: dict[str, Any]
) -> Any:
    await cursor.execute(query.sql, params, prepare=query.prepare)
    return cursor.rowcount


async def _each(
    cursor: psycopg.AsyncCursor[DictRow], query: Query, params: list[dict[str, Any]]
) -> Any:
    """``*!``: one statement for each parameter set (psycopg pipelines them); rows touched."""
    await cursor.executemany(query.sql, params)
    return cursor.rowcount


async def _script(
    cursor: psycopg.AsyncCursor[DictRow], query: Query, params: dict[str, Any]
) -> Any:
    """``#``: a statement without parameters, sent as it is (never prepared)."""
    await cursor.execute(query.sql, prepare=False)
    return None


_BY_OPERATION: dict[SQLOperationType, Statement] = {
    SQLOperationType.SELECT: _all,
    SQLOperationType.SELECT_ONE: _one,
    SQLOperationType.SELECT_VALUE: _value,
    SQLOperationType.INSERT_RETURNING: _one,
    SQLOperationType.INSERT_UPDATE_DELETE: _rowcount,
    SQLOperationType.INSERT_UPDATE_DELETE_MANY: _each,
    SQLOperationType.SCRIPT: _script,
}


async def closed_by_server(conn: psycopg.AsyncConnection[Any]) -> bool:
    """True when an idle connection's socket has something to read and the connection then
    fails a round trip: the server closed it (a terminated backend sends its FATAL message
    and hangs up). Costs one poll() when nothing is there, a round trip only when something is
    (a notice or notification on a live connection: then False)."""
    if conn.closed:
        return True
    poller = select.poll()
    poller.register(conn.pgconn.socket, select.POLLIN)
    if not poller.poll(0):
        return False
    try:
        await AsyncConnectionPool.check_connection(conn)
    except psycopg.Error:
        return True
    return False


def _rows(operation: SQLOperationType, result: Any) -> int | None:
    if operation is _SELECT:
        return len(result)
    if operation in _COUNTED:
        return int(result) if isinstance(result, int) else None
    return 0 if result is None else 1


class AsyncConnectionRunner:
    """Runs every statement on one connection: the one of a transaction, until it ends."""

    def __init__(self, conn: psycopg.AsyncConnection[Any], timer: QueryTimer) -> None:
        self.connection: psycopg.AsyncConnection[Any] | None = conn
        self._timer = timer

    async def run(self, query: Query, params: Any) -> Any:
        """Run one statement inside the transaction; no retry (the caller owns the unit)."""
        if self.connection is None:
            raise TransactionClosed(f"{query.name}: the transaction is over; start a new one")
        return await execute(self.connection, query, params, self._timer)

    async def copy(self, query: Query, rows: Iterable[Sequence[Any]]) -> int:
        """Stream rows through a ``COPY ... FROM STDIN`` inside the transaction."""
        if self.connection is None:
            raise TransactionClosed(f"{query.name}: the transaction is over; start a new one")
        return await copy_rows(self.connection, query, rows, self._timer)

    def close(self) -> None:
        """Refuse every later statement: the connection goes back to the pool."""
        self.connection = None


class AsyncPoolRunner:
    """Runs each statement on a pooled autocommit connection, taken for that statement only.

    No round trip checks a connection at checkout (it cost +60 us per call here): a
    connection the server killed fails its statement, the pool drops it, ``pool.check()``
    weeds out its idle siblings, and a statement safe to repeat (a read, or a write declared
    idempotent) runs once more on a connection verified alive just before (a connection in
    use when the server killed it may come back to the pool after ``check()``). Any other
    write is never replayed: its outcome is unknown, and WriteOutcomeUnknown says so. A
    statement a read-only server refused (25006, after a failover) was not applied: the pool
    is drained and the statement runs once more, whatever it is.
    """

    def __init__(
        self,
        pool: AsyncShopPool,
        timer: QueryTimer,
        timeout_s: float,
        probe: ServerProbe,
    ) -> None:
        self.pool = pool
        self.probe = probe
        self._timer = timer
        self.timeout_s = timeout_s

    async def run(self, query: Query, params: Any) -> Any:
        """Run one statement; once more on a live connection if its connection was dead."""
        try:
            return await self._run_once(query, params)
        except ReadOnlyServer:
            # A standby or a demoted primary refused it, unapplied: every connection of the
            # pool may lead there; new ones go where target_session_attrs=read-write says.
            await self.pool.drain()
        except ConnectionLost as lost:
            await self.pool.check()
            if not query.retry_safe:
                raise WriteOutcomeUnknown(
                    f"{query.name}: the connection broke during the write; "
                    "it may or may not have been applied"
                ) from lost
        conn = await self.checkout_alive()
        try:
            return await execute(conn, query, params, self._timer)
        finally:
            await self.pool.putconn(conn)

    async def _run_once(self, query: Query, params: Any) -> Any:
        conn = await self.checkout(self.timeout_s)
        if not query.retry_safe and await closed_by_server(conn):
            # Dead before anything was sent: a write can go to a live connection instead of
            # failing with an unknown outcome. One poll() of the socket, writes only.
            await conn.close()
            await self.pool.putconn(conn)
            await self.pool.check()
            conn = await self.checkout_alive()
        try:
            return await execute(conn, query, params, self._timer)
        finally:
            await self.pool.putconn(conn)

    async def checkout(self, timeout_s: float) -> AsyncPooledConnection:
        """A pooled connection, unchecked; a failed checkout raises the error that says why."""
        try:
            return await self.pool.getconn(timeout=timeout_s)
        except (PoolTimeout, PoolClosed) as exc:
            failure = await self.checkout_failed(exc)
        raise failure  # outside the handler: psycopg_pool's error is not its context

    async def checkout_alive(self) -> AsyncPooledConnection:
        """A pooled connection that answered a round trip just now.

        Dead ones are closed and dropped (the pool opens replacements) until a live one
        comes, within the checkout timeout. For retries only: it costs a round trip.
        """
        deadline = monotonic() + self.timeout_s
        while True:
            conn = await self.checkout(deadline - monotonic())
            try:
                await AsyncConnectionPool.check_connection(conn)
            except psycopg.Error:
                await conn.close()
                await self.pool.putconn(conn)
                continue
            except BaseException:
                await self.pool.putconn(conn)
                raise
            return conn

    async def checkout_failed(self, exc: Exception) -> DatabaseUnavailable:
        """The error for a failed checkout, saying what is true: a closed pool; every
        connection checked out (PoolExhausted); or connections free to open that could not be
        opened in time, with the server answering a direct connection or not."""
        pool = self.pool
        if isinstance(exc, PoolClosed):
            return DatabaseUnavailable(f"pool {pool.name} is not open: call AsyncDatabase.open()")
        waited = f"{self.timeout_s * 1000:.0f} ms"
        in_use = pool.checked_out
        if in_use >= pool.max_size:
            return PoolExhausted(
                f"no connection free within {waited}: all {pool.max_size} connections "
                f"of pool {pool.name} are busy (DATABASE_POOL_MAX={pool.max_size})"
            )
        if await self.probe.answers_async():
            return DatabaseUnavailable(
                f"no connection within {waited}: the server answers, but pool {pool.name} "
                f"could not open a connection in time ({in_use} of {pool.max_size} in use; "
                "connections lost in an outage are reopened with a back-off)"
            )
        return DatabaseUnavailable(
            f"no connection to the database within {waited}: the server is unreachable "
            f"or refusing connections (pool {pool.name}, {in_use} of {pool.max_size} in use)"
        )
