"""Database: the pool's lifecycle, the repositories, transactions and health."""

from __future__ import annotations

import logging
import threading
from asyncio import sleep
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from time import monotonic, perf_counter
from types import TracebackType
from typing import Any, Self, TypeVar

import psycopg
from psycopg import IsolationLevel
from psycopg_pool import PoolClosed, PoolTimeout
from tenacity import RetryError

from shopdb.cache.setup import async_cache_for
from shopdb.components_async import REPOSITORIES, AsyncComponents
from shopdb.core.errors import DatabaseUnavailable, ServerError, ShopDBError, TransientError
from shopdb.core.paging import CursorCodec
from shopdb.core.pool_async import AsyncShopPool
from shopdb.core.pool_metrics import register_pool
from shopdb.core.pool_probe import ServerProbe
from shopdb.core.queries import load_queries
from shopdb.core.replicas import AsyncReplicaRouter, Consistency
from shopdb.core.replicas_setup import (
    async_close_replicas,
    async_open_replicas,
    async_replica_router,
    session_timeout,
)
from shopdb.core.retry import async_transaction_retrying
from shopdb.core.runner_async import AsyncPoolRunner, execute
from shopdb.core.timer import QueryRecord
from shopdb.core.unit_async import AsyncRepositoryContext
from shopdb.health import Health
from shopdb.observability.timing import query_timer
from shopdb.settings import Settings
from shopdb.transaction_async import AsyncTransaction, transaction_scope

__all__ = ["AsyncDatabase", "AsyncTransaction", "Health"]

T = TypeVar("T")
log = logging.getLogger("shopdb.database")


class _Counter:
    """How many transactions are running: ``with counter:`` counts one for the block."""

    def __init__(self) -> None:
        self.running = 0
        self._lock = threading.Lock()

    def __enter__(self) -> None:
        with self._lock:
            self.running += 1

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self.running -= 1


class AsyncDatabase(AsyncComponents):
    """The entry point: ``async with AsyncDatabase(Settings()) as db:``, then
    ``await db.users.get(user_id)``."""

    def __init__(
        self, settings: Settings | None = None, *, name: str = "shopdb", tracer_provider: Any = None
    ) -> None:
        """``tracer_provider``: where the spans of QUERY_TRACING go (None: the global one)."""
        self.settings = settings or Settings()
        self.name = name
        s = self.settings
        self.timer = query_timer(s, tracer_provider)
        self._pool = self._new_pool()
        probe = ServerProbe(self._probe_connection, s.database_probe_interval_ms / 1000, name)
        self._pool_runner = AsyncPoolRunner(
            self._pool, self.timer, s.database_pool_timeout_ms / 1000, probe
        )
        self._router: AsyncReplicaRouter | None = None
        self._runner = self._pool_runner
        if s.replica_conninfos:
            self._runner = self._router = self._new_router()
        secret = s.cursor_secret.get_secret_value().encode() if s.cursor_secret else None
        cache = async_cache_for(s, name, REPOSITORIES, self._products_of_variants)
        self._context = AsyncRepositoryContext(s, CursorCodec(secret), cache=cache)
        self._opened = False
        self._transactions = _Counter()
        self.timer.declare(q.name for ns in load_queries().values() for q in ns.values())

    def _new_pool(self, conninfo: str | None = None, name: str | None = None) -> AsyncShopPool:
        s = self.settings
        # autocommit: BEGIN/COMMIT around a single statement doubled a PK lookup (206 vs 132 us)
        return AsyncShopPool(
            conninfo or s.conninfo,
            min_size=s.database_pool_min,
            max_size=s.database_pool_max,
            timeout=s.database_pool_timeout_ms / 1000,
            name=name or self.name,
            open=False,
            kwargs=self._connection_options(),
            configure=self._configure,
        )

    def _new_router(self) -> AsyncReplicaRouter:
        return async_replica_router(
            self.settings, self._pool_runner, self.timer, self._new_pool, self._connection_options()
        )

    def _connection_options(self) -> dict[str, Any]:
        s = self.settings
        # Behind a transaction-mode PgBouncer a startup "options" is refused: statement_timeout
        # is then the role's (ALTER ROLE ... SET statement_timeout, docs/operations.md).
        timeout = {} if s.behind_transaction_pooler else session_timeout(s.query_timeout_ms)
        return {
            "autocommit": True,
            "prepare_threshold": s.prepare_threshold,
            "application_name": s.database_application_name,
            "connect_timeout": s.database_connect_timeout_s,
            **timeout,
            # A peer gone without a word (half-open socket) is noticed instead of hanging.
            "keepalives": 1,
            "keepalives_idle": s.database_keepalives_idle_s,
            "keepalives_interval": s.database_keepalives_interval_s,
            "keepalives_count": s.database_keepalives_count,
            "tcp_user_timeout": s.database_tcp_user_timeout_ms,
        }

    async def _configure(self, conn: psycopg.AsyncConnection[Any]) -> None:
        # psycopg keeps 100 prepared statements per connection by default; with more named
        # queries than that, a rotation over them would deallocate and re-prepare forever.
        conn.prepared_max = self.settings.database_prepared_max

    def _probe_connection(self) -> psycopg.Connection[Any]:
        options = {**self._connection_options(), "connect_timeout": 2}
        return psycopg.connect(self.settings.conninfo, **options)

    async def open(self, timeout_s: float | None = None) -> Self:
        """Open the pool and wait until its minimum of connections is ready.

        A Database closed (or whose open failed) can be opened again: it gets a new pool.
        """
        wait = timeout_s if timeout_s is not None else self.settings.database_connect_timeout_s
        if self._pool.closed and self._opened:
            self._pool = self._pool_runner.pool = self._new_pool()
            if self._router is not None:  # the same router (components hold it), new pools
                self._router.replicas = self._new_router().replicas
        self._opened = True
        try:
            await self._pool.open(wait=True, timeout=wait)
        except PoolTimeout:
            await self._pool.close(timeout=0)
            failed = True
        else:
            failed = False
        if failed:  # raised outside the handler: no psycopg error as its context
            raise DatabaseUnavailable(
                f"could not connect to {self.settings.safe_url} within {wait:g} s"
            )
        register_pool(self._pool)
        if self._router is not None:
            async_open_replicas(self._router)
        if self.settings.cursor_secret is None:
            await self._use_shared_cursor_key()
        return self

    async def _use_shared_cursor_key(self) -> None:
        # One key for every process of this database (migration 0060): a cursor issued by one
        # worker behind a load balancer is good on the next. Before that migration (a database
        # being set up), the key drawn for this process stays.
        query = load_queries()["service_keys"]["cursor_key"]
        try:
            key = await self._pool_runner.run(query, {})
        except ServerError as exc:
            if exc.sqlstate != "42P01":  # undefined_table: not migrated yet
                raise
            return
        if key is not None:
            self._context.cursors.use_key(bytes(key))

    async def close(self, timeout_s: float = 5.0) -> None:
        """Wait up to ``timeout_s`` for running transactions to end, then close the pool.

        psycopg_pool's own close() does not wait for them; a transaction still running when
        the time is up keeps its connection, which is closed when it is returned.
        """
        deadline = monotonic() + timeout_s
        while self._transactions.running and monotonic() < deadline:
            await sleep(0.01)
        if self._router is not None:
            async_close_replicas(self._router)
        await self._pool.close(timeout=max(1.0, deadline - monotonic()))
        if self._context.cache is not None:
            await self._context.cache.close()

    @property
    def cache(self) -> Any:
        """The read-through cache (shopdb.cache.aio.AsyncCache), None without REDIS_URL."""
        return self._context.cache

    async def __aenter__(self) -> Self:
        return await self.open()

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    @asynccontextmanager
    async def transaction(
        self, *, isolation: IsolationLevel | None = None, read_only: bool = False
    ) -> AsyncIterator[AsyncTransaction]:
        """BEGIN on one connection; COMMIT on normal exit, ROLLBACK on any exception.

        The Transaction refuses statements once the block is over. A connection lost during
        COMMIT raises WriteOutcomeUnknown: whether it committed cannot be known.
        """
        with self._transactions, self._context.transactions:
            async with transaction_scope(
                self._pool_runner,
                self.timer,
                self._context,
                isolation=isolation,
                read_only=read_only,
            ) as tx:
                yield tx
            if self._router is not None and not read_only:
                self._router.wrote()

        await tx.committed()  # after the connection went back and the block's tracking ended

    async def _products_of_variants(self, variant_ids: list[Any]) -> dict[Any, Any]:
        return await self.products.products_of_variants(variant_ids)

    async def run_in_transaction(
        self,
        fn: Callable[[AsyncTransaction], Awaitable[T]],
        *,
        isolation: IsolationLevel | None = None,
        attempts: int | None = None,
    ) -> T:
        """Call ``fn(tx)`` in a transaction; run it all again on serialization failure or deadlock.

        Raises TransientError when the attempts (TRANSACTION_ATTEMPTS, 5) are used up.
        """
        limit = attempts or self.settings.transaction_attempts
        try:
            async for attempt in async_transaction_retrying(limit):
                with attempt:
                    async with self.transaction(isolation=isolation) as tx:
                        return await fn(tx)
        except RetryError as exc:
            last = exc.last_attempt.exception()
            raise TransientError(f"transaction gave up after {limit} attempts: {last}") from last
        raise AssertionError("unreachable: tenacity either returns or raises")

    @contextmanager
    def consistent(self, token: str | None = None) -> Iterator[Consistency]:
        """Reads inside the block see the block's writes (and those the ``token`` of an
        earlier block stands for): a replica read waits up to READ_YOUR_WRITES_WAIT_MS for a
        replica to replay them, else reads the primary. ``block.token()`` is what to hand
        the next request. Without replicas every read is the primary's: nothing to wait for."""
        if self._router is None:
            yield Consistency(None, None)
            return
        with self._router.consistent(token) as block:
            yield block

    @property
    def replicas(self) -> AsyncReplicaRouter | None:
        """The replica router (DATABASE_REPLICA_URLS), None without replicas."""
        return self._router

    @contextmanager
    def capture_queries(self) -> Iterator[list[QueryRecord]]:
        """Record every query this Database runs inside the block (name, duration, rows)."""
        with self.timer.capture() as records:
            yield records

    @property
    def pool(self) -> AsyncShopPool:
        """The underlying psycopg_pool, for what the repositories do not cover."""
        return self._pool

    def pool_stats(self) -> dict[str, int]:
        """psycopg_pool's figures: pool_size, pool_available, requests_waiting, ..."""
        stats: dict[str, int] = self._pool.get_stats()
        return stats

    async def health(self) -> Health:
        """Round trip to the server through the pool; never raises for an unreachable server."""
        ping = load_queries()["health"]["ping"]
        start = perf_counter()
        try:
            async with self._pool.connection(
                timeout=self.settings.database_pool_timeout_ms / 1000
            ) as c:
                version = await execute(c, ping, {}, self.timer)
        except (ShopDBError, PoolTimeout, PoolClosed) as exc:
            return Health(False, None, None, self.pool_stats(), error=type(exc).__name__)
        latency = (perf_counter() - start) * 1000
        return Health(True, round(latency, 3), str(version), self.pool_stats())
