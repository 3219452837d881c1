"""The query timer: every query's duration goes to Prometheus, the slow-query log and captures."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from prometheus_client import Counter, Histogram

slow_query_log = logging.getLogger("shopdb.slow_query")

QUERY_DURATION = Histogram(
    "shopdb_query_duration_seconds",
    "Time to run one named query, including fetching its rows.",
    ["query"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.5, 5.0, 10.0),
)
SLOW_QUERIES = Counter(
    "shopdb_slow_queries_total",
    "Queries that took longer than SLOW_QUERY_MS.",
    ["query"],
)


@dataclass(frozen=True, slots=True)
class QueryRecord:
    """One query run: its name, how long it took and how many rows it returned or touched."""

    name: str
    duration_s: float
    rows: int | None
    failed: bool = False


class QueryTimer:
    """Records query durations; flags those over the threshold. Never sees parameter values."""

    def __init__(self, slow_query_ms: int) -> None:
        self.slow_query_s = slow_query_ms / 1000
        self._threshold_ms = slow_query_ms
        self._children: dict[str, Histogram] = {}
        self._captures: list[list[QueryRecord]] = []
        self._lock = threading.Lock()

    def observe(self, name: str, duration_s: float, rows: int | None, failed: bool = False) -> None:
        """Record one query run."""
        child = self._children.get(name)
        if child is None:
            child = self._children[name] = QUERY_DURATION.labels(name)
        child.observe(duration_s)
        if duration_s > self.slow_query_s:
            SLOW_QUERIES.labels(name).inc()
            slow_query_log.warning(
                "slow query %s took %.1f ms (threshold %d ms)",
                name,
                duration_s * 1000,
                self._threshold_ms,
                extra={"query": name, "duration_ms": duration_s * 1000},
            )
        if self._captures:
            record = QueryRecord(name, duration_s, rows, failed)
            with self._lock:
                for capture in self._captures:
                    capture.append(record)

    @contextmanager
    def capture(self) -> Iterator[list[QueryRecord]]:
        """Collect every query recorded by this timer (from any thread) while the block runs."""
        records: list[QueryRecord] = []
        with self._lock:
            self._captures.append(records)
        try:
            yield records
        finally:
            with self._lock:
                self._captures.remove(records)
