"""The cache a Database gets: None without REDIS_URL (redis-py is then never imported)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from shopdb.cache.spec import Invalidations
from shopdb.extras import require
from shopdb.settings import Settings

if TYPE_CHECKING:
    from shopdb.cache.aio import AsyncCache
    from shopdb.cache.sync import SyncCache


def cache_for(
    settings: Settings,
    name: str,
    repositories: Iterable[type[Any]],
    resolve: Callable[[list[Any]], Mapping[Any, Any]],
) -> SyncCache | None:
    """The blocking cache of a Database named ``name``, or None when REDIS_URL is unset.
    ``resolve`` maps variant ids to their products (for the writes of stock)."""
    if settings.redis_url is None:
        return None
    require("REDIS_URL (the catalog cache)", extra="cache")
    from shopdb.cache.sync import SyncCache, client

    return SyncCache(client(settings), settings, name, Invalidations.of(repositories), resolve)


def async_cache_for(
    settings: Settings,
    name: str,
    repositories: Iterable[type[Any]],
    resolve: Callable[[list[Any]], Awaitable[Mapping[Any, Any]]],
) -> AsyncCache | None:
    """The asyncio cache of an AsyncDatabase named ``name`` (over redis.asyncio), or None when
    REDIS_URL is unset; ``resolve`` as in ``cache_for``."""
    if settings.redis_url is None:
        return None
    require("REDIS_URL (the catalog cache)", extra="cache")
    from shopdb.cache.aio import AsyncCache, client

    return AsyncCache(client(settings), settings, name, Invalidations.of(repositories), resolve)
