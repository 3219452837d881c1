"""The query timer: every query's duration goes to Prometheus, the slow-query log and captures."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from prometheus_client import Counter, Histogram

if TYPE_CHECKING:
    import psycopg

    from shopdb.core.queries import Query

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
QUERY_ERRORS = Counter(
    "shopdb_query_errors_total",
    "Queries that raised an error (refused by the server, timed out, connection lost).",
    ["query"],
)


Explainer = Callable[["psycopg.Connection[Any]", "Query"], "str | None"]
"""The plan of a query, read on the connection it just ran on: without parameter values; None
when the connection cannot explain it now (a failed transaction), to be tried again later."""


class QueryTracing(Protocol):
    """Opens one span per named query run (shopdb.observability.tracing)."""

    def span(
        self, query: Query, conn: psycopg.Connection[Any] | psycopg.AsyncConnection[Any]
    ) -> AbstractContextManager[None]: ...


@dataclass(frozen=True, slots=True)
class QueryRecord:
    """One query run: its name, how long it took and how many rows it returned or touched."""

    name: str
    duration_s: float
    rows: int | None
    failed: bool = False


class QueryTimer:
    """Records query durations; flags those over the threshold. Never sees parameter values."""

    def __init__(
        self,
        slow_query_ms: int,
        *,
        explainer: Explainer | None = None,
        tracer: QueryTracing | None = None,
    ) -> None:
        self.slow_query_s = slow_query_ms / 1000
        self.explainer = explainer
        self.tracer = tracer
        self._threshold_ms = slow_query_ms
        self._children: dict[str, Histogram] = {}
        self._captures: list[list[QueryRecord]] = []
        self._explained: set[str] = set()
        self._lock = threading.Lock()

    def declare(self, names: Iterable[str]) -> None:
        """Export the slow and error counters of ``names`` at 0 before any query runs, so
        that rates and ratios over them have data (Prometheus: initialise labelled series)."""
        for name in names:
            SLOW_QUERIES.labels(name)
            QUERY_ERRORS.labels(name)

    def slow_plan(self, conn: psycopg.Connection[Any], query: Query) -> str | None:
        """The plan of ``query`` the first time it is flagged slow (when an explainer is set),
        else None: each query is explained once per timer."""
        if self.explainer is None:
            return None
        with self._lock:
            if query.name in self._explained:
                return None
            self._explained.add(query.name)
        plan = self.explainer(conn, query)
        if plan is None:
            with self._lock:
                self._explained.discard(query.name)
        return plan

    async def aslow_plan(self, conn: psycopg.AsyncConnection[Any], query: Query) -> str | None:
        """``slow_plan`` of the async API: None (no plan is read on an async connection yet:
        the explainer is blocking); the slow query is still logged and counted."""
        return None

    def observe(
        self,
        name: str,
        duration_s: float,
        rows: int | None,
        failed: bool = False,
        plan: str | None = None,
    ) -> None:
        """Record one query run; ``plan`` (no parameter values in it) joins its slow record."""
        child = self._children.get(name)
        if child is None:
            child = self._children[name] = QUERY_DURATION.labels(name)
        child.observe(duration_s)
        if failed:
            QUERY_ERRORS.labels(name).inc()
        if duration_s > self.slow_query_s:
            self._flag(name, duration_s, plan)
        if self._captures:
            record = QueryRecord(name, duration_s, rows, failed)
            with self._lock:
                for capture in self._captures:
                    capture.append(record)

    def _flag(self, name: str, duration_s: float, plan: str | None) -> None:
        SLOW_QUERIES.labels(name).inc()
        extra: dict[str, object] = {"query": name, "duration_ms": duration_s * 1000}
        if plan is not None:
            extra["plan"] = plan
        slow_query_log.warning(
            "slow query %s took %.1f ms (threshold %d ms)%s",
            name,
            duration_s * 1000,
            self._threshold_ms,
            "" if plan is None else "; generic plan:\n" + plan,
            extra=extra,
        )

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
