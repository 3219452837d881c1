"""shopdb's connection pool: psycopg_pool's ConnectionPool, handing out the most recently
returned connection first, counting the connections checked out, one cursor kept per
connection.

Why LIFO: psycopg_pool keeps idle connections in a deque and hands out the longest-idle one
(popleft / append), so one client under light load rotates over every idle connection and each
call meets a cold one (+63 us per call, paired, here). A stack keeps the hot connection hot and
lets the ones above the minimum stay idle long enough for ``max_idle`` to close them
(psycopg_pool's shrinking pops from the other end: the least recently used one).

This relies on psycopg_pool internals (``_lock``, ``_pool``, ``_nconns_min``, ``_waiting``,
``_stats``, ...), so nothing pins psycopg_pool for it: at ``open()`` the pool compares the
fingerprint of the methods it replaces or bypasses (``ASYNC_UPSTREAM`` in
core/pool_upstream.py, written for psycopg_pool ``WRITTEN_FOR``) and the private attributes
it reads with the installed psycopg_pool. When they differ, it hands out connections through
psycopg_pool's own getconn/putconn (``handout == "psycopg_pool"``, FIFO, still counting
``checked_out``) and warns once. After an upgrade, tests/core/test_pool_internals.py says
which method changed: review AsyncShopPool against it, then update ASYNC_UPSTREAM.
"""

from __future__ import annotations

import hashlib
import inspect
import warnings
from asyncio import Lock
from functools import cache
from time import monotonic
from typing import Any, Literal

import psycopg
import psycopg_pool
from psycopg.pq import TransactionStatus
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool, PoolTimeout, TooManyRequests

from shopdb.core.pool_upstream import ASYNC_UPSTREAM as ASYNC_UPSTREAM
from shopdb.core.pool_upstream import WRITTEN_FOR as WRITTEN_FOR
from shopdb.core.pool_upstream import PoolFallbackWarning as PoolFallbackWarning

Handout = Literal["lifo", "psycopg_pool"]

# The fingerprints: core/pool_upstream.py (one set per API).
# The private attributes of the pool that the LIFO path reads or writes (those of each
# connection, _pool, _created_at and _expire_at, are set by _connect and
# _set_connection_expiry_date, fingerprinted above).
PRIVATE_STATE = (
    "_lock",
    "_pool",
    "_nconns_min",
    "_waiting",
    "_stats",
    "_REQUESTS_NUM",
    "_REQUESTS_ERRORS",
    "_check",
    "_closed",
    "_reset",
    "_pool_full_event",
    "_drained_at",
)


@cache
def fingerprint() -> dict[str, str]:
    """The ASYNC_UPSTREAM fingerprint of the installed psycopg_pool (a method whose source
    cannot be read, or that is gone, shows as ``"unknown"``). Computed once per process."""
    found: dict[str, str] = {}
    for name in ASYNC_UPSTREAM:
        try:
            source = inspect.getsource(getattr(AsyncConnectionPool, name))
        except (AttributeError, OSError, TypeError):
            found[name] = "unknown"
        else:
            found[name] = hashlib.sha256(source.encode()).hexdigest()[:16]
    return found


class AsyncPooledConnection(psycopg.AsyncConnection[Any]):
    """A pooled connection that keeps one dict-row cursor for the statements run on it.

    A new cursor per call rebuilds its row loaders and parameter dumpers (+35 us per call
    here); the kept one reuses them. The cursor lives and dies with its connection.
    """

    _kept: psycopg.AsyncCursor[DictRow] | None = None

    def kept_cursor(self) -> psycopg.AsyncCursor[DictRow]:
        """The connection's own dict-row cursor (made on first use)."""
        cursor = self._kept
        if cursor is None or cursor.closed:
            cursor = self._kept = self.cursor(row_factory=dict_row)
        return cursor


class AsyncShopPool(AsyncConnectionPool[AsyncPooledConnection]):
    """psycopg_pool's ConnectionPool, last in first out, with ``checked_out``: connections
    handed out and not yet returned (a connection still being reopened after a loss is not
    one of them, although ``get_stats()["pool_size"]`` counts it). ``handout`` says which
    path runs: ``"lifo"``, or ``"psycopg_pool"`` on a psycopg_pool it was not written for."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.checked_out = 0
        # psycopg_pool's own path until open() has checked the fingerprint.
        self._lifo = False
        self._fallback_lock = Lock()  # checked_out on that path: no private lock
        super().__init__(*args, connection_class=AsyncPooledConnection, **kwargs)
        if not self.closed:  # opened by the constructor (open=True)
            self._choose_handout()

    async def open(self, wait: bool = False, timeout: float = 30.0) -> None:
        """psycopg_pool's open, then the hand-out chosen for the installed psycopg_pool (after:
        the async pool makes its ``_lock`` in open)."""
        was_closed = self.closed
        await super().open(wait, timeout)
        if was_closed:
            self._choose_handout()

    def _choose_handout(self) -> None:
        changed = [
            name for name, digest in fingerprint().items() if ASYNC_UPSTREAM.get(name) != digest
        ]
        changed += [name for name in PRIVATE_STATE if not hasattr(self, name)]
        self._lifo = not changed
        if changed:
            self._warn_fallback(changed)

    @property
    def handout(self) -> Handout:
        """``"lifo"`` (the newest idle connection first), or ``"psycopg_pool"``: its own
        hand-out, on a psycopg_pool whose internals differ from those ShopPool was written
        for (decided at open)."""
        return "lifo" if self._lifo else "psycopg_pool"

    @staticmethod
    def _warn_fallback(changed: list[str]) -> None:
        warnings.warn(
            f"psycopg_pool {psycopg_pool.__version__} differs from the {WRITTEN_FOR} that "
            f"shopdb's pool was written for ({', '.join(changed)}): shopdb falls back to "
            "psycopg_pool's own hand-out (longest-idle connection first; measured +63 us per "
            "call at light load)",
            PoolFallbackWarning,
            stacklevel=4,
        )

    async def getconn(self, timeout: float | None = None) -> AsyncPooledConnection:
        """A connection: the most recently returned idle one, else psycopg_pool's own wait."""
        if not self._lifo:
            handed = await super().getconn(timeout)
            async with self._fallback_lock:
                self.checked_out += 1
            return handed
        async with self._lock:
            conn = self._pool.pop() if self._pool and self._check is None else None
            if conn is not None:
                if len(self._pool) < self._nconns_min:
                    self._nconns_min = len(self._pool)
                self._stats[self._REQUESTS_NUM] += 1
                self.checked_out += 1
        if conn is not None:
            # The connection's psycopg_pool marks (_pool, _expire_at, _created_at) are read and
            # set as psycopg_pool's own getconn/putconn do: the fingerprint covers them.
            conn._pool = self  # noqa: SLF001
            return conn
        conn = await super().getconn(timeout)
        async with self._lock:
            self.checked_out += 1
        return conn

    async def putconn(self, conn: AsyncPooledConnection) -> None:
        """Back on top of the stack; anything unusual goes through psycopg_pool's own path."""
        if not self._lifo:
            async with self._fallback_lock:
                self.checked_out -= 1
            await super().putconn(conn)
            return
        async with self._lock:
            self.checked_out -= 1
            if (
                conn._pool is self  # noqa: SLF001
                and not self._closed
                and not self._waiting
                and self._reset is None
                and self._pool_full_event is None
                and conn.pgconn.transaction_status == TransactionStatus.IDLE
                and conn._expire_at > monotonic()  # noqa: SLF001
                and conn._created_at > self._drained_at  # noqa: SLF001
            ):
                conn._pool = None  # noqa: SLF001
                self._pool.append(conn)
                return
        await super().putconn(conn)

    async def _get_ready_connection(
        self, *args: Any, **kwargs: Any
    ) -> AsyncPooledConnection | None:
        """psycopg_pool's own, with ``pop()`` (the newest) in place of ``popleft()``; on the
        fallback path psycopg_pool's own, whatever its signature there."""
        if not self._lifo:
            conn: AsyncPooledConnection | None = await super()._get_ready_connection(
                *args, **kwargs
            )
            return conn
        return self._pop_ready_connection(*args, **kwargs)

    def _pop_ready_connection(self, timeout: float | None) -> AsyncPooledConnection | None:
        if timeout is not None and timeout <= 0.0:
            raise PoolTimeout()
        conn: AsyncPooledConnection | None = None
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
