"""The cache's Prometheus metrics and its one log line per breaker change."""

from __future__ import annotations

import logging

from prometheus_client import Counter, Gauge

from shopdb.cache.core import BreakerState

log = logging.getLogger("shopdb.cache")

EVENTS = Counter(
    "shopdb_cache_events_total",
    "Cached reads by cache (namespace.read) and what happened: hit, miss, stale (served past "
    "its soft TTL), refresh, fill, fill_lost (a newer version was there), lock_wait, "
    "lock_timeout (read the database after waiting), error (Redis failed or answered "
    "garbage), bypass (breaker open: the database answered).",
    ["cache", "event"],
)
BREAKER = Gauge(
    "shopdb_cache_breaker_state",
    "The Redis circuit breaker of a Database: 0 closed, 1 half-open (probing), 2 open.",
    ["redis"],
)
BREAKER_CHANGES = Counter(
    "shopdb_cache_breaker_changes_total", "Changes of the Redis circuit breaker, by new state.",
    ["redis", "state"],
)  # fmt: skip
BUMPS = Counter(
    "shopdb_cache_invalidations_total",
    "Tags bumped after COMMIT: sent, or deferred (Redis down: sent before the next call).",
    ["redis", "outcome"],
)


def count(cache: str, event: str) -> None:
    """One more ``event`` of ``cache``."""
    EVENTS.labels(cache, event).inc()


def breaker_changed(redis: str, state: BreakerState, failures: int) -> None:
    """The gauge, the change counter and one log line."""
    BREAKER.labels(redis).set(int(state))
    BREAKER_CHANGES.labels(redis, state.name.lower()).inc()
    if state is BreakerState.OPEN:
        log.warning(
            "cache %s: Redis breaker open after %d failures; reads go to the database", redis,
            failures,
        )  # fmt: skip
    else:
        log.info("cache %s: Redis breaker %s", redis, state.name.lower().replace("_", "-"))
