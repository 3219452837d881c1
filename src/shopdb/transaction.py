"""Transaction: the repositories bound to one connection, between BEGIN and COMMIT."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import IsolationLevel
from psycopg import Transaction as PsycopgTransaction
from psycopg_pool import ConnectionPool, PoolClosed, PoolTimeout

from shopdb.core.errors import WriteOutcomeUnknown, translate
from shopdb.core.repository import RepositoryContext
from shopdb.core.runner import ConnectionRunner, PoolRunner
from shopdb.core.timer import QueryTimer
from shopdb.repositories import Repositories

Pool = ConnectionPool[psycopg.Connection[Any]]


class Transaction(Repositories):
    """The repositories bound to one connection inside BEGIN ... COMMIT; unusable after it."""

    def __init__(
        self, conn: psycopg.Connection[Any], timer: QueryTimer, context: RepositoryContext
    ) -> None:
        self.connection = conn
        self._runner = self._connection_runner = ConnectionRunner(conn, timer)
        self._context = context

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A SAVEPOINT: an exception inside undoes the block's writes and propagates, and the
        transaction goes on (without it, a failed statement aborts the whole transaction)."""
        try:
            with self.connection.transaction():
                yield
        except psycopg.Error as exc:
            raise translate(exc, "savepoint", self.connection) from exc

    def _close(self) -> None:
        self._connection_runner.close()


@contextmanager
def transaction_scope(
    runner: PoolRunner,
    timer: QueryTimer,
    context: RepositoryContext,
    *,
    isolation: IsolationLevel | None,
    read_only: bool,
) -> Iterator[Transaction]:
    """BEGIN on a pooled connection; COMMIT on normal exit, ROLLBACK on any exception."""
    conn, block = _begin(runner, isolation, read_only)
    tx = Transaction(conn, timer, context)
    try:
        try:
            yield tx
        except psycopg.Error as exc:
            _roll_back(block, exc)
            raise translate(exc, "transaction", conn) from exc
        except BaseException as exc:
            _roll_back(block, exc)
            raise
        try:
            block.__exit__(None, None, None)
        except psycopg.Error as exc:
            if conn.closed:
                raise WriteOutcomeUnknown(
                    "transaction: the connection broke during COMMIT; "
                    "it may or may not have been committed"
                ) from exc
            raise translate(exc, "transaction", conn) from exc
    finally:
        tx._close()
        _release(runner.pool, conn)


def _begin(
    runner: PoolRunner, isolation: IsolationLevel | None, read_only: bool
) -> tuple[psycopg.Connection[Any], PsycopgTransaction]:
    """A connection with BEGIN sent. A connection the server killed while it sat in the pool
    fails its BEGIN: nothing was written, so weed out the dead ones and try once more."""
    for last_try in (False, True):
        try:
            conn = runner.pool.getconn(timeout=runner.timeout_s)
        except (PoolTimeout, PoolClosed) as exc:
            raise runner.checkout_failed(exc) from exc
        conn.isolation_level = isolation
        conn.read_only = read_only or None
        block = conn.transaction()
        try:
            block.__enter__()
            return conn, block
        except psycopg.Error as exc:
            _release(runner.pool, conn)
            if last_try or not conn.closed:
                raise translate(exc, "transaction", conn) from exc
            runner.pool.check()
    raise AssertionError("unreachable: the second try returns or raises")


def _roll_back(block: PsycopgTransaction, exc: BaseException) -> None:
    # On a broken connection the ROLLBACK fails, but the server has rolled back already.
    with contextlib.suppress(psycopg.Error):
        block.__exit__(type(exc), exc, exc.__traceback__)


def _release(pool: Pool, conn: psycopg.Connection[Any]) -> None:
    if not conn.closed:
        conn.isolation_level = None
        conn.read_only = None
    pool.putconn(conn)
