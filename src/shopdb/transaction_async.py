"""Transaction: the repositories bound to one connection, between BEGIN and COMMIT."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, TypeVar

import psycopg
from psycopg import IsolationLevel
from psycopg.pq import TransactionStatus

from shopdb.components_async import AsyncComponents
from shopdb.core.errors import (
    ConnectionLost,
    ConstraintRules,
    ReadOnlyServer,
    ShopDBError,
    TransactionAborted,
    TransactionClosed,
    WriteOutcomeUnknown,
    translate,
)
from shopdb.core.pool_async import AsyncPooledConnection, AsyncShopPool
from shopdb.core.repository_async import AsyncRepository
from shopdb.core.runner_async import AsyncConnectionRunner, AsyncPoolRunner
from shopdb.core.timer import QueryTimer
from shopdb.core.unit_async import AsyncRepositoryContext

T = TypeVar("T")


class AsyncTransaction(AsyncComponents):
    """The repositories and services bound to one connection inside BEGIN ... COMMIT;
    unusable after it."""

    in_transaction = True

    def __init__(
        self, conn: psycopg.AsyncConnection[Any], timer: QueryTimer, context: AsyncRepositoryContext
    ) -> None:
        self._connection: psycopg.AsyncConnection[Any] | None = conn
        self._runner = self._connection_runner = AsyncConnectionRunner(conn, timer)
        self._context = context
        self._on_commit: list[Callable[[], Awaitable[None]]] = []

    def on_commit(self, callback: Callable[[], Awaitable[None]]) -> None:
        """Call ``callback()`` once the transaction has committed (never after a rollback):
        the cache bumps the tags of the block's writes there. It must not raise."""
        self._on_commit.append(callback)

    async def committed(self) -> None:
        """Run the after-commit callbacks (Database.transaction does, after COMMIT)."""
        callbacks, self._on_commit = self._on_commit, []
        for callback in callbacks:
            await callback()

    @property
    def connection(self) -> psycopg.AsyncConnection[Any]:
        """The transaction's connection, for what the repositories do not cover."""
        if self._connection is None:
            raise TransactionClosed("the transaction is over; start a new one")
        return self._connection

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[AsyncTransaction]:
        """A SAVEPOINT: an exception inside undoes the block's writes and propagates, and the
        transaction goes on (without it, a failed statement aborts the whole transaction)."""
        conn = self.connection
        try:
            async with conn.transaction():
                yield self
        except psycopg.Error as exc:
            failure = translate(exc, "savepoint", conn, self.constraint_rules())
        else:
            return
        raise failure  # outside the handler: psycopg's error (its DETAIL quotes values) goes

    def constraint_rules(self) -> ConstraintRules:
        """The constraint rules of every repository used in this transaction: those that
        apply to what fails at a savepoint's release or at COMMIT (a deferred constraint)."""
        built = self.__dict__.get("_components", {}).values()
        return ConstraintRules.union(
            c.constraint_rules() for c in built if isinstance(c, AsyncRepository)
        )

    async def run_in_transaction(self, fn: Callable[[AsyncTransaction], Awaitable[T]]) -> T:
        """``fn(self)`` in a savepoint; no retry here: the unit that owns the transaction
        (``Database.run_in_transaction``) retries it as a whole."""
        async with self.savepoint() as tx:
            return await fn(tx)

    def close(self) -> None:
        """End the Transaction's use: every later statement is refused (TransactionClosed)."""
        self._connection = None
        self._connection_runner.close()


@asynccontextmanager
async def transaction_scope(
    runner: AsyncPoolRunner,
    timer: QueryTimer,
    context: AsyncRepositoryContext,
    *,
    isolation: IsolationLevel | None,
    read_only: bool,
) -> AsyncIterator[AsyncTransaction]:
    """BEGIN on a pooled connection; COMMIT on normal exit, ROLLBACK on any exception.

    A psycopg error becomes a shopdb error raised outside the handler that caught it, so
    psycopg's error (whose DETAIL quotes values) is neither its cause nor its context."""
    pool = runner.pool
    conn, block = await _begin(runner, pool, isolation, read_only)
    tx = AsyncTransaction(conn, timer, context)
    failure: ShopDBError | None
    try:
        try:
            yield tx
        except psycopg.Error as exc:
            await _roll_back(block, exc)
            failure = translate(exc, "transaction", conn, tx.constraint_rules())
        except BaseException as exc:
            await _roll_back(block, exc)
            if isinstance(exc, ReadOnlyServer):
                await (
                    pool.drain()
                )  # a failover demoted the server: new connections find the new one
            raise
        else:
            failure = await _commit(tx, conn, block, read_only)
    finally:
        tx.close()
        await _release(pool, conn)
    if failure is not None:
        raise failure


async def _commit(
    tx: AsyncTransaction,
    conn: AsyncPooledConnection,
    block: AbstractAsyncContextManager[Any],
    read_only: bool,
) -> ShopDBError | None:
    """COMMIT the block; the error to raise when it could not (None: committed)."""
    if conn.closed:
        # Lost inside the block and the error was caught there: COMMIT was never sent.
        return ConnectionLost(
            "transaction: the connection was lost inside the block; nothing was committed"
        )
    if conn.info.transaction_status == TransactionStatus.INERROR:
        # A statement failed and its error was caught inside the block: COMMIT would
        # silently turn into ROLLBACK and lose the writes made before it.
        aborted = TransactionAborted(
            "transaction: a statement failed inside the block and its error was caught; "
            "the transaction was rolled back (use tx.savepoint() to go on after an error)"
        )
        await _roll_back(block, aborted)
        return aborted
    try:
        await block.__aexit__(None, None, None)
    except psycopg.Error as exc:
        if conn.closed and not read_only:
            return WriteOutcomeUnknown(
                "transaction: the connection broke during COMMIT; "
                "it may or may not have been committed"
            )
        return translate(exc, "transaction", conn, tx.constraint_rules())
    return None


async def _begin(
    runner: AsyncPoolRunner,
    pool: AsyncShopPool,
    isolation: IsolationLevel | None,
    read_only: bool,
) -> tuple[AsyncPooledConnection, AbstractAsyncContextManager[Any]]:
    """A connection with BEGIN sent. A connection the server killed while it sat in the pool
    fails its BEGIN: nothing was written, so weed out the dead ones and try once more, on a
    connection that answered a round trip just before (one in use when the server killed it
    may come back to the pool after ``check()``)."""
    level = IsolationLevel(isolation) if isolation is not None else None
    for last_try in (False, True):
        conn = (
            await runner.checkout_alive() if last_try else await runner.checkout(runner.timeout_s)
        )
        try:
            await conn.set_isolation_level(level)
            await conn.set_read_only(read_only or None)
            block = conn.transaction()
            await block.__aenter__()
            return conn, block
        except psycopg.Error as exc:
            dead = conn.closed
            await _release(pool, conn)
            if last_try or not dead:
                failure = translate(exc, "transaction", conn if dead else None)
                break
            await pool.check()
        except BaseException:
            await _release(pool, conn)
            raise
    raise failure


async def _roll_back(block: AbstractAsyncContextManager[Any], exc: BaseException) -> None:
    # On a broken connection the ROLLBACK fails, but the server has rolled back already.
    with contextlib.suppress(psycopg.Error):
        await block.__aexit__(type(exc), exc, exc.__traceback__)


async def _release(pool: AsyncShopPool, conn: AsyncPooledConnection) -> None:
    if conn.info.transaction_status == TransactionStatus.IDLE:
        await conn.set_isolation_level(None)
        await conn.set_read_only(None)
    else:
        # Busy, inside a transaction or broken: never hand such a connection out again.
        await conn.close()
    await pool.putconn(conn)
