"""CollectionRepository: collections and their ordered products over sql/collections.sql."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from shopdb.core.paging import NEWEST_FIRST, CursorPage, Keyset
from shopdb.core.unit_async import unit_of_work
from shopdb.models.audit import Actor
from shopdb.models.audited import CollectionOrder, CollectionState
from shopdb.models.collections import (
    Collection,
    CollectionMembership,
    CollectionOrderError,
    CollectionPatch,
    CollectionProduct,
    CollectionStatus,
    NewCollection,
)
from shopdb.repositories.base_async import AsyncShopRepository
from shopdb.repositories.catalog_cache import COLLECTION_INVALIDATIONS, COLLECTION_READS

IN_DISPLAY_ORDER = Keyset(("display_order", "product_id"), (-(2**31), UUID(int=0)))
"""ORDER BY display_order, product_id with ``(display_order, product_id) > (after...)``."""


class AsyncCollectionRepository(AsyncShopRepository):
    """Collections: create and read them, add, remove and reorder their products."""

    namespace = "collections"
    entity = "collection"
    tables = ("collections", "product_collections")
    locks = {"lock_collection": None}
    cached_reads = COLLECTION_READS
    invalidations = COLLECTION_INVALIDATIONS
    queries = {
        "create": Collection,
        "get": Collection,
        "get_by_slug": Collection,
        "add_product": CollectionMembership,
        "remove_product": CollectionMembership,
        "count_products": None,
        "reorder_products": None,
        "list_products": CollectionProduct,
        "update": Collection,
        "delete": Collection,
        "list_collections": Collection,
        "list_collections_by_status": Collection,
        "member_order": None,
    }
    constraint_messages = {
        "collections_slug_key": "a collection with this slug already exists",
        "collections_slug_check": "a slug is lower-case letters and digits joined by single dashes",
        "collections_status_check": "a collection is DRAFT, ACTIVE or ARCHIVED",
        "product_collections_pkey": "the product is already in this collection",
        "product_collections_product_id_fkey": "the product does not exist",
        "product_collections_collection_id_fkey": "the collection does not exist",
    }

    @unit_of_work
    async def create(self, new: NewCollection, *, actor: Actor | None = None) -> Collection:
        """Store a collection, audited (``collections``/``create``; None: the SYSTEM actor);
        ConflictError when the slug is taken."""
        created = await self._get("create", Collection, **new.model_dump())
        return await self._audited(actor or Actor.system(), "create", created.id, None, created)

    async def get(self, collection_id: UUID) -> Collection:
        """The collection with this id; NotFoundError otherwise."""
        return await self._get("get", Collection, id=collection_id)

    async def get_by_slug(self, slug: str) -> Collection:
        """The collection with this slug; NotFoundError otherwise."""
        return await self._get("get_by_slug", Collection, slug=slug)

    @unit_of_work
    async def add_product(
        self,
        collection_id: UUID,
        product_id: UUID,
        *,
        display_order: int | None = None,
        actor: Actor | None = None,
    ) -> CollectionMembership:
        """Add a product at ``display_order``, or after the last member when None, audited
        (``collections``/``add_product``, the membership after). NotFoundError for the
        collection, ConflictError when the product is in it already, ConstraintViolation
        when the product does not exist. Locks: the collection row."""
        await self._lock("lock_collection", None, collection_id=collection_id)
        added = await self._get(
            "add_product",
            CollectionMembership,
            collection_id=collection_id,
            product_id=product_id,
            display_order=display_order,
        )
        return await self._audited(
            actor or Actor.system(), "add_product", collection_id, None, added
        )

    @unit_of_work
    async def remove_product(
        self, collection_id: UUID, product_id: UUID, *, actor: Actor | None = None
    ) -> None:
        """Take a product out, audited (``collections``/``remove_product``, the membership
        before); NotFoundError when it was not in the collection."""
        removed = await self._get(
            "remove_product", CollectionMembership, collection_id=collection_id,
            product_id=product_id,
        )  # fmt: skip
        await self._audited(actor or Actor.system(), "remove_product", collection_id, removed, None)

    async def reorder(
        self, collection_id: UUID, product_ids: Sequence[UUID], *, actor: Actor | None = None
    ) -> None:
        """Put the collection's live products in the order given (display_order 0, 1, ...), all
        or nothing, audited (``collections``/``reorder``, CollectionOrder before and after; no
        entry when the order stays): CollectionOrderError unless ``product_ids`` lists each of
        them exactly once, NotFoundError for the collection. Locks: the collection row, then
        its members."""
        order = list(product_ids)
        if len(set(order)) != len(order):
            raise CollectionOrderError("the new order lists a product more than once")
        await self._reorder(collection_id, order, actor or Actor.system())

    @unit_of_work
    async def update(
        self, collection_id: UUID, patch: CollectionPatch, *, actor: Actor | None = None
    ) -> Collection:
        """Change the fields set in ``patch``, audited (``collections``/``update``,
        CollectionState before and after; no entry when nothing changed). ConflictError for a
        taken slug, NotFoundError. Locks: the collection row."""
        await self._lock("lock_collection", None, collection_id=collection_id)
        before = await self.get(collection_id)
        after = await self._patch("update", Collection, patch, id=collection_id)
        return await self._audited(actor or Actor.system(), "update", collection_id,
                             _state(before), _state(after), result=after)  # fmt: skip

    @unit_of_work
    async def delete(self, collection_id: UUID, *, actor: Actor | None = None) -> None:
        """Delete a collection and its memberships (the products stay), audited
        (``collections``/``delete``, CollectionState before); NotFoundError."""
        gone = await self._get("delete", Collection, id=collection_id)
        await self._audited(actor or Actor.system(), "delete", collection_id, _state(gone), None)

    async def list_collections(
        self,
        *,
        status: CollectionStatus | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> CursorPage[Collection]:
        """Every collection (or those in ``status``) newest first, a keyset page at a time."""
        if status is None:
            return await self._page("list_collections", Collection, NEWEST_FIRST, limit=limit,
                              cursor=cursor)  # fmt: skip
        return await self._page("list_collections_by_status", Collection, NEWEST_FIRST, limit=limit,
                          cursor=cursor, status=status)  # fmt: skip

    async def list_products(
        self, collection_id: UUID, *, limit: int = 50, cursor: str | None = None
    ) -> CursorPage[CollectionProduct]:
        """The collection's live products in display order, a keyset page at a time. The
        first page is cached (REDIS_URL) as ``collections.first_page``."""
        if cursor is None:
            return await self._cached("first_page", self._first_page,
                                      collection_id=collection_id, limit=limit)  # fmt: skip
        return await self._page(
            "list_products",
            CollectionProduct,
            IN_DISPLAY_ORDER,
            limit=limit,
            cursor=cursor,
            collection_id=collection_id,
        )

    async def _first_page(self, collection_id: UUID, limit: int) -> CursorPage[CollectionProduct]:
        return await self._page(
            "list_products", CollectionProduct, IN_DISPLAY_ORDER, limit=limit, cursor=None,
            collection_id=collection_id,
        )  # fmt: skip

    @unit_of_work
    async def _reorder(self, collection_id: UUID, order: list[UUID], actor: Actor) -> None:
        await self._lock("lock_collection", None, collection_id=collection_id)
        members = int(await self._value("count_products", collection_id=collection_id))
        before = CollectionOrder(
            product_ids=await self._value("member_order", collection_id=collection_id)
        )
        moved = await self._count(
            "reorder_products", collection_id=collection_id, product_ids=order
        )

        if moved != len(order) or members != len(order):
            raise CollectionOrderError(
                f"the new order must list each of the collection's {members} live products "
                f"exactly once ({len(order)} given, {moved} of them members)"
            )
        await self._audited(
            actor, "reorder", collection_id, before, CollectionOrder(product_ids=order)
        )


def _state(collection: Collection) -> CollectionState:
    """The editable state of a collection, as the audit log keeps it."""
    return CollectionState.model_validate(
        collection.model_dump(include=set(CollectionState.model_fields))
    )
