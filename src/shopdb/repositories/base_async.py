"""ShopRepository: the kit's Repository with what shopdb's own repositories add to it, the
typed sibling access of a unit of work and the audit hook."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast, overload

from pydantic import BaseModel

from shopdb.cache.spec import Bump, CachedRead
from shopdb.core.repository_async import AsyncRepository

if TYPE_CHECKING:
    from shopdb.components_async import AsyncComponents
    from shopdb.models.audit import Actor
    from shopdb.transaction_async import AsyncTransaction

A = TypeVar("A", bound=BaseModel | None)
R = TypeVar("R")
_AFTER: object = object()
"""``_audited``'s default result: the state after."""


class AsyncShopRepository(AsyncRepository):
    """Base of shopdb's repositories (an application's own may stand on it too)."""

    cached_reads: ClassVar[Mapping[str, CachedRead]] = {}
    """The reads kept in the Redis cache (REDIS_URL) -> how: docs/caching.md."""
    invalidations: ClassVar[tuple[Bump, ...]] = ()
    """The write queries (of any namespace) that bump the tags of this class's cached reads."""
    leaves_cached: ClassVar[Mapping[tuple[str, str], str]] = {}
    """(write query, cached read) -> why that write changes nothing the read returns: a write
    to a table a cached read reads either bumps one of its tags or is listed here."""

    async def _cached(self, read: str, fill: Callable[..., Awaitable[R]], /, **key: Any) -> R:
        """``fill(**key)``, through the cache when there is one and this is no transaction
        (inside one, a read must see the block's own writes: it reads the database)."""
        cache = self._context.cache
        if cache is None or self._in_transaction:
            return await fill(**key)
        self._refuse_bypass(f"db.{self.namespace}")
        spec = type(self).cached_reads[read]
        value = await cache.read(f"{self.namespace}.{read}", spec, key, lambda: fill(**key))
        return cast(R, value)

    @property
    def _tx(self) -> AsyncTransaction:
        """The transaction of the unit of work (``@unit_of_work``); its attributes are the
        sibling repositories and services, reached by their public methods."""
        return cast("AsyncTransaction", super()._tx)

    @property
    def _unit(self) -> AsyncComponents:
        """The owner (the Database or a Transaction), for the flows a method hands to a
        service (``self._unit.checkout``)."""
        return cast("AsyncComponents", self._owner)

    @overload
    async def _audited(
        self,
        actor: Actor,
        action: str,
        entity_id: object,
        before: BaseModel | None,
        after: A,
        *,
        entity: str | None = None,
    ) -> A: ...
    @overload
    async def _audited(
        self,
        actor: Actor,
        action: str,
        entity_id: object,
        before: BaseModel | None,
        after: BaseModel | None,
        *,
        result: R,
        entity: str | None = None,
    ) -> R: ...
    async def _audited(
        self,
        actor: Actor,
        action: str,
        entity_id: object,
        before: BaseModel | None,
        after: BaseModel | None,
        *,
        result: object = _AFTER,
        entity: str | None = None,
    ) -> object:
        """The audit hook of a ``@unit_of_work`` method: record ``before`` and ``after`` (the
        entity's state as models; None before a create or after a delete) in the same
        transaction as the write, so both are kept or neither; returns the method's result:
        ``result`` when the audited state is not what the method returns (a stock count of an
        inventory row), else ``after``. No entry when nothing changed (``before == after``: a
        repeated assignment, the same price). ``before`` should come from a lock (``_lock``)
        so that it is the state the write changed. ``entity`` defaults to the namespace."""
        if before != after:
            await self._tx.audit.record(
                actor, action, entity or self.namespace, entity_id, before, after
            )
        return after if result is _AFTER else result
