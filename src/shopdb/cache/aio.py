"""The asyncio driver of the cache, over redis-py's ``redis.asyncio.Redis``: the same flows
of ``shopdb.cache.core`` as the sync driver, run with awaits; single flight among the tasks
of one event loop. For the AsyncDatabase of issue 18 (docs/caching.md, "Async")."""

from __future__ import annotations

import asyncio
import random
import time
import weakref
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

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

Fill = Callable[[], Awaitable[Any]]
Resolve = Callable[[list[Any]], Awaitable[Mapping[Any, Any]]]


def client(settings: Settings) -> aioredis.Redis:
    """An asyncio redis-py client with CACHE_TIMEOUT_MS and no retries of its own."""
    url, options = client_options(settings)
    return aioredis.Redis.from_url(url, retry=Retry(NoBackoff(), 0), **options)


class _Batch:
    def __init__(self, cache: AsyncCache) -> None:
        self.cache = cache
        self.tags: Tags = set()
        self.variants: Tags = set()

    async def committed(self) -> None:
        await self.cache.invalidate(self.tags, self.variants)


class AsyncCache(CacheBase):
    """The read-through cache of one AsyncDatabase (one event loop)."""

    def __init__(
        self,
        redis_client: aioredis.Redis,
        settings: Settings,
        name: str,
        invalidations: Invalidations,
        resolve: Resolve,
    ) -> None:
        super().__init__(settings, name, invalidations)
        self._redis = redis_client
        self._scripts = {n: redis_client.register_script(s) for n, s in SCRIPTS.items()}
        self._resolve = resolve
        self._flights: dict[tuple[str, ...], asyncio.Future[Any]] = {}
        self._batches: weakref.WeakKeyDictionary[Any, _Batch] = weakref.WeakKeyDictionary()
        self._rng = random.Random()

    async def read(self, cache: str, spec: CachedRead, key: Mapping[str, Any], fill: Fill) -> Any:
        """The value of ``await fill()``, from Redis when it holds a current one."""
        led: list[tuple[str, ...]] = []
        try:
            value = await self._run(self._flow(cache, spec, key), fill, cache, led)
        except BaseException as exc:
            self._land(led, None, exc)
            raise
        self._land(led, value, None)
        return value

    def _land(self, led: list[tuple[str, ...]], value: Any, error: BaseException | None) -> None:
        for name in led:
            future = self._flights.pop(name)
            if error is not None:
                future.set_exception(error)
                future.exception()  # retrieved: no "never retrieved" warning without followers
            else:
                future.set_result(value)

    async def _follow(self, future: asyncio.Future[Any], cache: str, fill: Fill) -> Any:
        try:
            value = await asyncio.wait_for(asyncio.shield(future), self.follow_timeout_s)
        except TimeoutError:
            metrics.count(cache, "lock_timeout")
            return await fill()
        metrics.count(cache, "shared")
        return value

    def _flow(self, cache: str, spec: CachedRead, key: Mapping[str, Any]) -> Flow:
        return read_flow(
            cache, spec, self.codec(spec), self.keys, key, self.tuning, self.clock_ms,
            lambda event: metrics.count(cache, event), self._rng,
        )  # fmt: skip

    async def _run(self, flow: Flow, fill: Fill, cache: str, led: list[tuple[str, ...]]) -> Any:
        reply: Any = None
        failure: CacheDown | None = None
        while True:
            try:
                step = flow.send(reply) if failure is None else flow.throw(failure)
            except StopIteration as stop:
                return stop.value
            failure = reply = None
            if isinstance(step, Share):
                future = self._flights.get(step.flight)
                if future is not None:
                    flow.close()
                    return await self._follow(future, cache, fill)
                self._flights[step.flight] = asyncio.get_running_loop().create_future()
                led.append(step.flight)
            elif isinstance(step, Load):
                reply = await fill()
            elif isinstance(step, Call):
                try:
                    reply = await self._call(step, cache)
                except CacheDown as down:
                    failure = down
            else:
                await asyncio.sleep(step.seconds)

    async def _call(self, step: Call, cache: str) -> Any:
        allowed, change = self.breaker.allow(time.monotonic())
        self.changed(change)
        if not allowed:
            metrics.count(cache, "bypass")
            raise CacheDown("breaker open")
        try:
            await self._flush_pending()
            reply = checked_reply(step, await self._execute(step))
        except Exception:  # down, slow, garbage: all the same to the caller
            self.changed(self.breaker.failed(time.monotonic()))
            metrics.count(cache, "error")
            raise CacheDown("redis failed") from None
        self.changed(self.breaker.succeeded())
        return reply

    async def _execute(self, step: Call) -> Any:
        if step.script == "set_nx":
            value, px = step.args
            return await self._redis.set(step.keys[0], value, nx=True, px=px)
        return await self._scripts[step.script](keys=list(step.keys), args=list(step.args))

    async def _flush_pending(self) -> None:
        pending, self.pending = self.pending, set()
        if not pending:
            return
        try:
            await self._execute(self.bump_call(pending))
        except BaseException:
            self.defer(pending)
            raise
        metrics.BUMPS.labels(self.name, "sent").inc(len(pending))

    async def wrote(self, owner: Any, query: str, params: Mapping[str, Any], result: Any) -> None:
        """A write query ran: bump its tags now (autocommit) or after its transaction's COMMIT
        (``owner.on_commit`` takes a coroutine function in the async Transaction)."""
        bumps = self.invalidations.by_query.get(query)
        if not bumps:
            return
        tags, variants = bumped_tags(bumps, params, result)
        if not owner.in_transaction:
            await self.invalidate(tags, variants)
            return
        batch = self._batches.get(owner)
        if batch is None:
            batch = self._batches[owner] = _Batch(self)
            owner.on_commit(batch.committed)
        batch.tags |= tags
        batch.variants |= variants

    async def invalidate(
        self, tags: Iterable[tuple[str, Any]], variants: Iterable[tuple[str, Any]] = ()
    ) -> None:
        """Bump these tags (and those of the variants' products), or keep them for later."""
        keys = {self.keys.tag(scope, value) for scope, value in tags}
        wanted = list(variants)
        if wanted:
            unknown = [v for _, v in wanted if v not in self.products_of]
            try:
                if unknown:
                    self.remember(await self._resolve(unknown))
                keys |= self.variant_tags(wanted)
            except Exception:  # the database is down too: empty the cache
                keys.add(self.keys.tag(GLOBAL))
        if not keys:
            return
        try:
            await self._call(self.bump_call(keys), "invalidation")
        except CacheDown:
            self.defer(keys)
            return
        metrics.BUMPS.labels(self.name, "sent").inc(len(keys))

    async def close(self) -> None:
        """Close the client's connections."""
        await self._redis.aclose()
