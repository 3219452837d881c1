"""shopdb's connection pool: psycopg_pool's ConnectionPool, handing out the most recently
returned connection first, counting the connections checked out, one cursor kept per
connection.

Why LIFO: psycopg_pool keeps idle connections in a deque and hands out the longest-idle one
(popleft / append), so one client under light load rotates over every idle connection and each
call meets a cold one (+63 us per call, paired, here). A stack keeps the hot connection hot and
lets the ones above the minimum stay idle long enough for ``max_idle`` to close them
(psycopg_pool's shrinking pops from the other end: the least recently used one).

This relies on psycopg_pool internals (``_lock``, ``_pool``, ``_nconns_min``, ``_waiting``,
``_stats``): pyproject.toml pins the versions it was written for, and
tests/core/test_pool_internals.py fails when they change.
"""

from __future__ import annotations

from time import monotonic
from typing import Any

import psycopg
from psycopg.pq import TransactionStatus
from psycopg.rows import DictRow, dict_row
from psycopg_pool import ConnectionPool, PoolTimeout, TooManyRequests


class PooledConnection(psycopg.Connection[Any]):
    """A pooled connection that keeps one dict-row cursor for the statements run on it.

    A new cursor per call rebuilds its row loaders and parameter dumpers (+35 us per call
    here); the kept one reuses them. The cursor lives and dies with its connection.
    """

    _kept: psycopg.Cursor[DictRow] | None = None

    def kept_cursor(self) -> psycopg.Cursor[DictRow]:
        """The connection's own dict-row cursor (made on first use)."""
        cursor = self._kept
        if cursor is None or cursor.closed:
            cursor = self._kept = self.cursor(row_factory=dict_row)
        return cursor


class ShopPool(ConnectionPool[PooledConnection]):
    """psycopg_pool's ConnectionPool, last in first out, with ``checked_out``: connections
    handed out and not yet returned (a connection still being reopened after a loss is not
    one of them, although ``get_stats()["pool_size"]`` counts it)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, connection_class=PooledConnection, **kwargs)
        self.checked_out = 0

    def getconn(self, timeout: float | None = None) -> PooledConnection:
        """A connection: the most recently returned idle one, else psycopg_pool's own wait."""
        with self._lock:
            conn = self._pool.pop() if self._pool and self._check is None else None
            if conn is not None:
                if len(self._pool) < self._nconns_min:
                    self._nconns_min = len(self._pool)
                self._stats[self._REQUESTS_NUM] += 1
                self.checked_out += 1
        if conn is not None:
            conn._pool = self
            return conn
        conn = super().getconn(timeout)
        with self._lock:
            self.checked_out += 1
        return conn

    def putconn(self, conn: PooledConnection) -> None:
        """Back on top of the stack; anything unusual goes through psycopg_pool's own path."""
        with self._lock:
            self.checked_out -= 1
            if (
                conn._pool is self
                and not self._closed
                and not self._waiting
                and self._reset is None
                and self._pool_full_event is None
                and conn.pgconn.transaction_status == TransactionStatus.IDLE
                and conn._expire_at > monotonic()
                and conn._created_at > self._drained_at
            ):
                conn._pool = None
                self._pool.append(conn)
                return
        super().putconn(conn)

    def _get_ready_connection(self, timeout: float | None) -> PooledConnection | None:
        """psycopg_pool's own, with ``pop()`` (the newest) in place of ``popleft()``."""
        if timeout is not None and timeout <= 0.0:
            raise PoolTimeout()
        conn: PooledConnection | None = None
        if self._pool:
            conn = self._pool.pop()
            if len(self._pool) < self._nconns_min:
                self._nconns_min = len(self._pool)
        elif self.max_waiting and len(self._waiting) >= self.max_waiting:
            self._stats[self._REQUESTS_ERRORS] += 1
            raise TooManyRequests(
                f"the pool {self.name!r} has already {len(self._waiting)} requests waiting"
            )
        return conn
