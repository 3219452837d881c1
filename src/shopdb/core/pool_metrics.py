"""Prometheus gauges of the pools' figures, read from ``pool.get_stats()`` at scrape time.

Pool wait is not query time: it is exported here, apart from the query histogram.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from typing import Any

from prometheus_client import Counter
from prometheus_client.core import REGISTRY, GaugeMetricFamily
from prometheus_client.registry import Collector
from psycopg_pool import AsyncConnectionPool, ConnectionPool

AnyPool = ConnectionPool[Any] | AsyncConnectionPool[Any]
"""A pool of either API: both report the same figures (``get_stats()``)."""

_GAUGES = {
    "pool_max": "Connections the pool may open (DATABASE_POOL_MAX).",
    "pool_size": "Connections the pool manages (idle, in use or being prepared).",
    "pool_available": "Idle connections ready for a checkout.",
    "requests_waiting": "Checkouts waiting for a connection.",
    "requests_wait_ms": "Total time checkouts spent waiting, in milliseconds.",
    "requests_errors": "Checkouts that failed (timeout or error).",
    "connections_lost": "Connections found broken and dropped.",
}


PROBES = Counter(
    "shopdb_pool_probes_total",
    "Direct connections opened to tell an unreachable server from a pool still reconnecting "
    "(after a checkout timed out); their answer is reused for DATABASE_PROBE_INTERVAL_MS.",
    ["pool"],
)


def count_probe(pool_name: str) -> None:
    """One more probe connection for ``pool_name``."""
    PROBES.labels(pool_name).inc()


class PoolCollector(Collector):
    """Reports every open shopdb pool, labelled by pool name (pools sharing a name summed)."""

    def __init__(self) -> None:
        self._pools: weakref.WeakSet[AnyPool] = weakref.WeakSet()
        self._lock = threading.Lock()

    def add(self, pool: AnyPool) -> None:
        with self._lock:
            self._pools.add(pool)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with self._lock:
            pools = [pool for pool in self._pools if not pool.closed]
        # Pools of one name (two Databases left at name="shopdb") are summed into one series:
        # a repeated series would make Prometheus refuse the whole scrape.
        stats: dict[str, dict[str, float]] = {}
        for pool in pools:
            current = pool.get_stats()
            summed = stats.setdefault(pool.name, dict.fromkeys(_GAUGES, 0.0))
            for key in _GAUGES:
                summed[key] += float(current.get(key, 0))
        for key, text in _GAUGES.items():
            family = GaugeMetricFamily(f"shopdb_pool_{key}", text, labels=["pool"])
            for name, figures in stats.items():
                family.add_metric([name], figures[key])
            yield family


_collector = PoolCollector()
REGISTRY.register(_collector)


def register_pool(pool: AnyPool) -> None:
    """Export ``pool``'s figures until it is closed or collected."""
    _collector.add(pool)
