"""What the sync and the asyncio drivers share: settings, keys, the breaker, the pending
invalidations, the variant -> product map, and the check of Redis's replies."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

from shopdb.cache import metrics
from shopdb.cache.core import (
    TAG_TTL_MS,
    Breaker,
    BreakerState,
    Call,
    Codec,
    Keys,
    Tuning,
    token,
)
from shopdb.cache.spec import GLOBAL, CachedRead, Invalidations
from shopdb.settings import Settings

MAX_PENDING = 10_000
"""Invalidations kept while Redis is away; past this many, the global tag replaces them."""
MAX_VARIANTS = 100_000
"""Variant -> product pairs remembered (a variant never changes product)."""


class CacheBase:
    """State and decisions common to both drivers (no I/O)."""

    def __init__(self, settings: Settings, name: str, invalidations: Invalidations) -> None:
        self.settings = settings
        self.name = name
        self.invalidations = invalidations
        self.keys = Keys(settings.cache_prefix)
        self.tuning = Tuning(settings.cache_lock_ms / 1000, settings.cache_lock_wait_ms / 1000)
        self.breaker = Breaker(
            settings.cache_breaker_failures, settings.cache_breaker_cooldown_ms / 1000
        )
        self.pending: set[str] = set()
        self.products_of: dict[Any, Any] = {}
        self._codecs: dict[int, Codec] = {}
        metrics.BREAKER.labels(name).set(0)

    @property
    def follow_timeout_s(self) -> float:
        """How long a thread waits for the fill another thread of this process runs: the
        lock wait plus a few Redis round trips, then it reads the database itself."""
        return (
            self.tuning.lock_wait_s + self.tuning.lock_s + 4 * self.settings.cache_timeout_ms / 1000
        )

    def codec(self, spec: CachedRead) -> Codec:
        """The JSON codec of a read's return type, built once."""
        found = self._codecs.get(id(spec))
        if found is None:
            found = self._codecs[id(spec)] = Codec(spec.returns)
        return found

    @staticmethod
    def clock_ms() -> int:
        """Wall-clock milliseconds: entries are judged by every process of the machine."""
        return time.time_ns() // 1_000_000

    def changed(self, state: BreakerState | None) -> None:
        """The metric and log line of a breaker change (None: no change)."""
        if state is not None:
            metrics.breaker_changed(self.name, state, self.breaker.failures)

    def defer(self, keys: Iterable[str]) -> None:
        """Keep tags to bump before the next Redis call (hold the driver's lock)."""
        self.pending |= set(keys)
        if len(self.pending) > MAX_PENDING:
            self.pending = {self.keys.tag(GLOBAL)}
        metrics.BUMPS.labels(self.name, "deferred").inc()

    def bump_call(self, keys: Iterable[str]) -> Call:
        """The BUMP of these tags, each to a new token."""
        ordered = tuple(sorted(keys))
        return Call("bump", ordered, (*(token() for _ in ordered), TAG_TTL_MS))

    def remember(self, products: Mapping[Any, Any]) -> None:
        """Keep variant -> product pairs."""
        if len(self.products_of) > MAX_VARIANTS:
            self.products_of.clear()
        self.products_of.update(products)

    def variant_tags(self, variants: Iterable[tuple[str, Any]]) -> set[str]:
        """The tags of the variants' products; the global tag for a variant not found."""
        found: set[str] = set()
        for scope, variant in variants:
            product = self.products_of.get(variant)
            found.add(self.keys.tag(GLOBAL) if product is None else self.keys.tag(scope, product))
        return found


def client_options(settings: Settings) -> tuple[str, dict[str, Any]]:
    """REDIS_URL and the options of either client: CACHE_TIMEOUT_MS to connect and to answer,
    no retry on timeout (the driver adds ``retry=Retry(NoBackoff(), 0)`` of its kind)."""
    assert settings.redis_url is not None
    timeout = settings.cache_timeout_ms / 1000
    options = {"socket_timeout": timeout, "socket_connect_timeout": timeout}
    return settings.redis_url.get_secret_value(), {**options, "retry_on_timeout": False}


def checked_reply(step: Call, reply: Any) -> Any:
    """Redis's reply when it has the shape the step expects; ValueError otherwise (a
    server answering garbage counts as a failure)."""
    if step.script == "read":
        ok = (
            isinstance(reply, list)
            and len(reply) == len(step.keys)
            and (reply[0] is None or isinstance(reply[0], bytes))
            and all(isinstance(t, bytes) for t in reply[1:])
        )
        if ok:
            return [reply[0], *(t.decode() for t in reply[1:])]
    elif step.script == "set_nx":
        if reply is None or reply is True:
            return bool(reply)
    elif isinstance(reply, int) and not isinstance(reply, bool):
        return reply
    raise ValueError(f"unexpected Redis reply to {step.script}")
