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

import threading
from typing import Any

import psycopg
from psycopg.rows import DictRow, dict_row
from psycopg_pool import ConnectionPool


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
    """psycopg_pool's ConnectionPool, LIFO, with ``checked_out``: connections handed out and
    not yet returned (a connection still being reopened after a loss is not one of them,
    although ``get_stats()["pool_size"]`` counts it)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, connection_class=PooledConnection, **kwargs)
        self.checked_out = 0
        self._count_lock = threading.Lock()

    def getconn(self, timeout: float | None = None) -> PooledConnection:
        conn = super().getconn(timeout)
        with self._count_lock:
            self.checked_out += 1
        return conn

    def putconn(self, conn: PooledConnection) -> None:
        with self._count_lock:
            self.checked_out -= 1
        super().putconn(conn)
