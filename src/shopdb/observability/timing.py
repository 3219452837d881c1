"""The query timer a Database gets from its settings: explaining slow queries and tracing
are off unless SLOW_QUERY_EXPLAIN and QUERY_TRACING turn them on."""

from __future__ import annotations

from typing import Any

from shopdb.core.timer import QueryTimer
from shopdb.settings import Settings


def query_timer(settings: Settings, tracer_provider: Any = None) -> QueryTimer:
    """A QueryTimer for ``settings`` (spans go to ``tracer_provider``, or the global one)."""
    timer = QueryTimer(settings.slow_query_ms)
    # Behind a transaction-mode pooler the EXPLAIN's prepared statement and its DEALLOCATE
    # may reach different server connections: no plans there.
    if settings.slow_query_explain and not settings.behind_transaction_pooler:
        from shopdb.observability.slow_plans import generic_plan

        timer.explainer = generic_plan
    if settings.query_tracing:
        from shopdb.observability.tracing import QueryTracer

        timer.tracer = QueryTracer(settings.conninfo, tracer_provider)
    return timer
