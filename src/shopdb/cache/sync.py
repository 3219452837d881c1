"""The blocking driver of the cache, over redis-py's ``redis.Redis``: runs the flows of
``shopdb.cache.core`` with blocking calls, shares one fill per key among the threads of a
process (single flight), holds the circuit breaker and the invalidations Redis missed."""

from __future__ import annotations

import random
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from shopdb.cache import metrics
from shopdb.cache.core import (
    SCRIPTS,
    CacheDown,
    Call,
    Flow,
    Load,
    Share,
    Tags,
    bumped_tags,
    read_flow,
)
from shopdb.cache.shared import CacheBase, checked_reply, client_options
from shopdb.cache.spec import GLOBAL, CachedRead, Invalidations
from shopdb.settings import Settings

Resolve = Callable[[list[Any]], Mapping[Any, Any]]
"""Variant ids -> their product ids (a variant gone is absent)."""


def client(settings: Settings) -> redis.Redis:
    """A redis-py client that gives up after CACHE_TIMEOUT_MS and never retries by itself
    (the breaker decides when to try again)."""
    url, options = client_options(settings)
    return redis.Redis.from_url(url, retry=Retry(NoBackoff(), 0), **options)


class _Flight:
    """One fill in progress in this process, and its outcome for the callers waiting on it."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None


class _Batch:
    """The tags a transaction's writes bump, sent once after its COMMIT."""

    def __init__(self, cache: SyncCache) -> None:
        self.cache = cache
        self.tags: Tags = set()
        self.variants: Tags = set()

    def committed(self) -> None:
        self.cache.invalidate(self.tags, self.variants)


class SyncCache(CacheBase):
    """The read-through cache of one Database (blocking)."""

    def __init__(
        self,
        redis_client: redis.Redis,
        settings: Settings,
        name: str,
        invalidations: Invalidations,
        resolve: Resolve,
    ) -> None:
        super().__init__(settings, name, invalidations)
        self._redis = redis_client
        self._scripts = {n: redis_client.register_script(s) for n, s in SCRIPTS.items()}
        self._resolve = resolve
        self._lock = threading.Lock()
        self._flights: dict[tuple[str, ...], _Flight] = {}
        self._batches: weakref.WeakKeyDictionary[Any, _Batch] = weakref.WeakKeyDictionary()
        self._rng = random.Random()

    # --- reads --------------------------------------------------------------------------

    def read(
        self, cache: str, spec: CachedRead, key: Mapping[str, Any], fill: Callable[[], Any]
    ) -> Any:
        """The value of ``fill()``, from Redis when it holds a current one. Threads missing
        the same entry under the same version share one fill."""
        led: list[tuple[str, ...]] = []
        try:
            value = self._run(self._flow(cache, spec, key), fill, cache, led)
        except BaseException as exc:
            self._land(led, None, exc)
            raise
        self._land(led, value, None)
        return value

    def _join(self, step: Share, led: list[tuple[str, ...]]) -> _Flight | None:
        with self._lock:
            flight = self._flights.get(step.flight)
            if flight is None:
                self._flights[step.flight] = _Flight()
                led.append(step.flight)
        return flight

    def _land(self, led: list[tuple[str, ...]], value: Any, error: BaseException | None) -> None:
        for name in led:
            with self._lock:
                flight = self._flights.pop(name)
            flight.value, flight.error = value, error
            flight.done.set()

    def _follow(self, flight: _Flight, cache: str, fill: Callable[[], Any]) -> Any:
        if not flight.done.wait(self.follow_timeout_s):
            metrics.count(cache, "lock_timeout")
            return fill()
        if flight.error is not None:
            raise flight.error
        metrics.count(cache, "shared")
        return flight.value

    def _flow(self, cache: str, spec: CachedRead, key: Mapping[str, Any]) -> Flow:
        return read_flow(
            cache, spec, self.codec(spec), self.keys, key, self.tuning, self.clock_ms,
            lambda event: metrics.count(cache, event), self._rng,
        )  # fmt: skip

    def _run(
        self, flow: Flow, fill: Callable[[], Any], cache: str, led: list[tuple[str, ...]]
    ) -> Any:
        reply: Any = None
        failure: CacheDown | None = None
        while True:
            try:
                step = flow.send(reply) if failure is None else flow.throw(failure)
            except StopIteration as stop:
                return stop.value
            failure = reply = None
            if isinstance(step, Share):
                flight = self._join(step, led)
                if flight is not None:
                    flow.close()
                    return self._follow(flight, cache, fill)
            elif isinstance(step, Load):
                reply = fill()
            elif isinstance(step, Call):
                try:
                    reply = self._call(step, cache)
                except CacheDown as down:
                    failure = down
            else:
                time.sleep(step.seconds)

    # --- Redis calls under the breaker ---------------------------------------------------

    def _call(self, step: Call, cache: str) -> Any:
        with self._lock:
            allowed, change = self.breaker.allow(time.monotonic())
        self.changed(change)
        if not allowed:
            metrics.count(cache, "bypass")
            raise CacheDown("breaker open")
        try:
            self._flush_pending()
            reply = checked_reply(step, self._execute(step))
        except Exception:  # down, slow, garbage: all the same to the caller
            with self._lock:
                change = self.breaker.failed(time.monotonic())
            self.changed(change)
            metrics.count(cache, "error")
            raise CacheDown("redis failed") from None
        with self._lock:
            change = self.breaker.succeeded()
        self.changed(change)
        return reply

    def _execute(self, step: Call) -> Any:
        if step.script == "set_nx":
            value, px = step.args
            return self._redis.set(step.keys[0], value, nx=True, px=px)
        return self._scripts[step.script](keys=list(step.keys), args=list(step.args))

    def _flush_pending(self) -> None:
        with self._lock:
            pending, self.pending = self.pending, set()
        if not pending:
            return
        try:
            self._execute(self.bump_call(pending))
        except BaseException:
            with self._lock:
                self.defer(pending)
            raise
        metrics.BUMPS.labels(self.name, "sent").inc(len(pending))

    # --- invalidation ---------------------------------------------------------------------

    def wrote(self, owner: Any, query: str, params: Mapping[str, Any], result: Any) -> None:
        """A write query ran: bump its tags now (autocommit) or after its transaction's COMMIT."""
        bumps = self.invalidations.by_query.get(query)
        if not bumps:
            return
        tags, variants = bumped_tags(bumps, params, result)
        if not owner.in_transaction:
            self.invalidate(tags, variants)
            return
        batch = self._batches.get(owner)
        if batch is None:
            batch = self._batches[owner] = _Batch(self)
            owner.on_commit(batch.committed)
        batch.tags |= tags
        batch.variants |= variants

    def invalidate(
        self, tags: Iterable[tuple[str, Any]], variants: Iterable[tuple[str, Any]] = ()
    ) -> None:
        """Bump these tags (and those of the variants' products); when Redis cannot take it,
        keep them to send before any later call, so no entry they cover is served again."""
        keys = {self.keys.tag(scope, value) for scope, value in tags}
        keys |= self._variant_tags(list(variants))
        if not keys:
            return
        try:
            self._call(self.bump_call(keys), "invalidation")
        except CacheDown:
            with self._lock:
                self.defer(keys)
            return
        metrics.BUMPS.labels(self.name, "sent").inc(len(keys))

    def _variant_tags(self, variants: list[tuple[str, Any]]) -> set[str]:
        if not variants:
            return set()
        unknown = [v for _, v in variants if v not in self.products_of]
        if unknown:
            try:
                self.remember(self._resolve(unknown))
            except Exception:  # the database is down too: empty the cache
                return {self.keys.tag(GLOBAL)}
        return self.variant_tags(variants)

    def close(self) -> None:
        """Close the client's connections."""
        self._redis.close()
