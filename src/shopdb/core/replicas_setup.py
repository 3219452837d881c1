"""Building, opening and closing the replica pools of a Database (DATABASE_REPLICA_URLS)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg

from shopdb.core.errors import ConfigurationError
from shopdb.core.pool import ShopPool
from shopdb.core.pool_async import AsyncShopPool
from shopdb.core.pool_metrics import register_pool
from shopdb.core.pool_probe import ServerProbe
from shopdb.core.replicas import AsyncReplicaRouter, Replica, ReplicaRouter
from shopdb.core.runner import PoolRunner
from shopdb.core.runner_async import AsyncPoolRunner
from shopdb.core.timer import QueryTimer
from shopdb.settings import Settings

# A read waits at most this long for a replica connection before it goes to the primary: a
# replica that just died must not hold reads for the primary's full checkout timeout.
REPLICA_CHECKOUT_S = 1.0


def session_timeout(query_timeout_ms: int) -> dict[str, str]:
    """The startup ``options`` that set statement_timeout on each new connection."""
    return {"options": f"-c statement_timeout={query_timeout_ms}"}


def replica_router(
    settings: Settings,
    primary: PoolRunner,
    timer: QueryTimer,
    new_pool: Callable[[str, str], ShopPool],
    options: dict[str, Any],
) -> ReplicaRouter:
    """A router over ``primary`` and one pool per replica URL, named replica1, replica2, ..."""
    checkout_s = min(settings.database_pool_timeout_ms / 1000, REPLICA_CHECKOUT_S)
    replicas = []
    for position, conninfo in enumerate(settings.replica_conninfos, 1):
        name = f"replica{position}"
        pool = new_pool(conninfo, f"{primary.pool.name}-{name}")
        connect = _connector(conninfo, options)
        probe = ServerProbe(connect, settings.database_probe_interval_ms / 1000, pool.name)
        replicas.append(Replica(name, PoolRunner(pool, timer, checkout_s, probe)))
    return ReplicaRouter(
        primary,
        replicas,
        sample_s=settings.replica_lag_sample_ms / 1000,
        max_lag_ms=settings.max_replica_lag_ms,
        wait_s=settings.read_your_writes_wait_ms / 1000,
    )


def _connector(conninfo: str, options: dict[str, Any]) -> Callable[[], psycopg.Connection[Any]]:
    def connect() -> psycopg.Connection[Any]:
        return psycopg.connect(conninfo, **{**options, "connect_timeout": 2})

    return connect


def open_replicas(router: ReplicaRouter) -> None:
    """Open every replica pool without waiting (a replica down at start serves no reads until
    a sample finds it) and start measuring their lag."""
    for replica in router.replicas:
        replica.runner.pool.open(wait=False)
        register_pool(replica.runner.pool)
    router.start()


def close_replicas(router: ReplicaRouter) -> None:
    """Stop the lag sampling and close every replica pool."""
    router.stop()
    for replica in router.replicas:
        replica.runner.pool.close(timeout=1.0)


def async_replica_router(
    settings: Settings,
    primary: AsyncPoolRunner,
    timer: QueryTimer,
    new_pool: Callable[[str, str], AsyncShopPool],
    options: dict[str, Any],
) -> AsyncReplicaRouter:
    """AsyncDatabase's twin of ``replica_router``: replica reads are not on the async API
    yet, so DATABASE_REPLICA_URLS is refused there rather than silently ignored."""
    raise ConfigurationError(
        "DATABASE_REPLICA_URLS: AsyncDatabase does not read from replicas yet (the sync "
        "Database does); leave it unset for AsyncDatabase"
    )


def async_open_replicas(router: AsyncReplicaRouter) -> None:
    """Never reached: ``async_replica_router`` refuses to build a router."""
    raise AssertionError("AsyncReplicaRouter is never built")


def async_close_replicas(router: AsyncReplicaRouter) -> None:
    """Never reached: ``async_replica_router`` refuses to build a router."""
    raise AssertionError("AsyncReplicaRouter is never built")
