"""CategoryRepository: the category tree over sql/categories.sql.

level, path and the refusal of loops belong to the triggers of migration 0003; every
statement here that changes the hierarchy updates category_tree_version first (through those
triggers), so hierarchy changes are serialized at every isolation level. Under REPEATABLE READ
or SERIALIZABLE a change computed from a stale snapshot fails with SerializationFailure: run it
through ``db.run_in_transaction`` to have it retried.
"""

from __future__ import annotations

from uuid import UUID

from shopdb.core.errors import NotFoundError
from shopdb.core.paging import NEWEST_FIRST, CursorPage
from shopdb.core.unit_async import unit_of_work
from shopdb.models.audit import Actor
from shopdb.models.audited import CategoryPlace, CategoryState
from shopdb.models.categories import (
    Category,
    CategoryContents,
    CategoryCycleError,
    CategoryNotEmpty,
    CategoryPatch,
    CategoryProduct,
    CategoryRename,
    NewCategory,
)
from shopdb.repositories.base_async import AsyncShopRepository
from shopdb.repositories.catalog_cache import CATEGORY_INVALIDATIONS, CATEGORY_READS


class AsyncCategoryRepository(AsyncShopRepository):
    """Categories as a tree: create, move, rename, and the reads of the hierarchy."""

    namespace = "categories"
    entity = "category"
    tables = ("categories", "category_tree_version")
    cached_reads = CATEGORY_READS
    invalidations = CATEGORY_INVALIDATIONS
    locks = {"lock_category": Category, "lock_tree": None}
    queries = {
        "update": Category,
        "delete": Category,
        "contents": CategoryContents,
        "create": Category,
        "get": Category,
        "get_by_slug": Category,
        "move": Category,
        "rename": Category,
        "rename_with_slug": Category,
        "tree": Category,
        "ancestors": Category,
        "descendants": Category,
        "products_in": CategoryProduct,
        "products_in_by_status": CategoryProduct,
    }
    replica_reads = frozenset(
        {"get", "get_by_slug", "tree", "ancestors", "descendants", "products_in"}
    )
    constraint_messages = {
        "categories_slug_key": "a category with this slug already exists",
        "categories_slug_check": "a slug is lower-case letters and digits joined by single dashes",
        "categories_name_check": "a category name has 1 to 200 characters",
        "categories_parent_id_fkey": "the parent category does not exist",
        "categories_parent_id_cycle_check": (
            "a category cannot be moved under itself or one of its own descendants"
        ),
        "product_categories_category_id_fkey": "a category that holds products cannot be deleted",
    }
    constraint_errors = {
        "categories_parent_id_cycle_check": CategoryCycleError,
        "product_categories_category_id_fkey": CategoryNotEmpty,
    }

    @unit_of_work
    async def create(self, new: NewCategory, *, actor: Actor | None = None) -> Category:
        """Store a category under ``new.parent_id`` (a root when None), with its level and path,
        audited (``categories``/``create``, CategoryPlace; None: the SYSTEM actor);
        ConflictError for a taken slug, ConstraintViolation for a missing parent."""
        created = await self._get("create", Category, **new.model_dump())
        return await self._audited_change("create", None, created, actor)

    async def get(self, category_id: UUID) -> Category:
        """The category with this id; NotFoundError otherwise."""
        return await self._get("get", Category, id=category_id)

    async def get_by_slug(self, slug: str) -> Category:
        """The category with this slug; NotFoundError otherwise."""
        return await self._get("get_by_slug", Category, slug=slug)

    @unit_of_work
    async def move(
        self, category_id: UUID, parent_id: UUID | None, *, actor: Actor | None = None
    ) -> Category:
        """Re-parent a category (None: make it a root); its subtree's levels and paths follow.
        Audited (``categories``/``move``). CategoryCycleError when ``parent_id`` is the
        category or one of its descendants, ConstraintViolation when the parent does not
        exist, NotFoundError for the category."""
        before = await self.get(category_id)
        moved = await self._get("move", Category, id=category_id, parent_id=parent_id)
        return await self._audited_change("move", before, moved, actor)

    @unit_of_work
    async def rename(
        self, category_id: UUID, rename: CategoryRename, *, actor: Actor | None = None
    ) -> Category:
        """Change the name, and the slug when given (the subtree's paths follow it); audited
        (``categories``/``rename``)."""
        before = await self.get(category_id)
        if rename.slug is None:
            renamed = await self._get("rename", Category, id=category_id, name=rename.name)
        else:
            renamed = await self._get(
                "rename_with_slug", Category, id=category_id, name=rename.name, slug=rename.slug
            )
        return await self._audited_change("rename", before, renamed, actor)

    @unit_of_work
    async def update(
        self, category_id: UUID, patch: CategoryPatch, *, actor: Actor | None = None
    ) -> Category:
        """Change the fields set in ``patch`` (name, description, pictures, display order;
        none moves the category), audited (``categories``/``update``, CategoryState before and
        after; no entry when nothing changed). NotFoundError. Locks: the category row."""
        before = await self._lock("lock_category", Category, id=category_id)
        after = await self._patch("update", Category, patch, id=category_id)
        was, now = CategoryState.of(before), CategoryState.of(after)
        return await self._audited(
            actor or Actor.system(), "update", category_id, was, now, result=after
        )

    @unit_of_work
    async def delete(self, category_id: UUID, *, actor: Actor | None = None) -> None:
        """Delete a category that holds no product and no child category, audited
        (``categories``/``delete``, CategoryState before). CategoryNotEmpty (``.products``,
        ``.children``) when it holds any, nothing deleted; NotFoundError. Locks: the tree
        (category_tree_version, as every change of the tree), so no child can be added
        meanwhile; a product linked meanwhile fails the delete on its foreign key, also as
        CategoryNotEmpty."""
        await self._lock("lock_tree", None)
        deleted = await self._find("delete", Category, id=category_id)
        if deleted is None:
            await self.get(category_id)  # NotFoundError when there is no such category
            held = await self._get("contents", CategoryContents, id=category_id)
            raise CategoryNotEmpty(
                f"category: it holds {held.products} products and {held.children} child"
                " categories: move or delete them first",
                products=held.products,
                children=held.children,
            )
        await self._audited(
            actor or Actor.system(), "delete", category_id, CategoryState.of(deleted), None
        )

    async def _audited_change(
        self, action: str, before: Category | None, after: Category, actor: Actor | None
    ) -> Category:
        # before is read, not locked: a lock on the row ahead of the tree-version row the
        # triggers take first would invert their order (a deadlock with a concurrent move)
        was = None if before is None else CategoryPlace.of(before)
        return await self._audited(actor or Actor.system(), action, after.id, was,
                             CategoryPlace.of(after), result=after)  # fmt: skip

    async def tree(self) -> list[Category]:
        """Every category depth first (a parent right before its children, siblings by
        display_order then name), read in one recursive query; nest them by ``parent_id``.
        Cached (REDIS_URL) as ``categories.tree``."""
        return await self._cached("tree", self._tree)

    async def _tree(self) -> list[Category]:
        return await self._list("tree", Category)

    async def ancestors(self, category_id: UUID) -> list[Category]:
        """The breadcrumb: the root first, down to the category itself; NotFoundError when
        there is no such category."""
        found = await self._list("ancestors", Category, id=category_id)
        if not found:
            raise NotFoundError(self.entity, category_id)
        return found

    async def descendants(self, category_id: UUID) -> list[Category]:
        """Every category below this one, depth first (empty for a leaf or an unknown id)."""
        return await self._list("descendants", Category, id=category_id)

    async def products_in(
        self,
        category_id: UUID,
        *,
        status: str | None = None,
        limit: int = 20,
        cursor: str | None = None,
    ) -> CursorPage[CategoryProduct]:
        """Live products in the category or any category below it, newest first, a keyset page
        at a time (``next_cursor`` for the next); optionally in one status only. The first
        page of every status is cached (REDIS_URL) as ``categories.first_page``."""
        if status is None and cursor is None:
            return await self._cached("first_page", self._first_page, category_id=category_id,
                                limit=limit)  # fmt: skip
        if status is None:
            return await self._page(
                "products_in",
                CategoryProduct,
                NEWEST_FIRST,
                limit=limit,
                cursor=cursor,
                category_id=category_id,
            )
        return await self._page(
            "products_in_by_status",
            CategoryProduct,
            NEWEST_FIRST,
            limit=limit,
            cursor=cursor,
            category_id=category_id,
            status=status,
        )

    async def _first_page(self, category_id: UUID, limit: int) -> CursorPage[CategoryProduct]:
        return await self._page(
            "products_in", CategoryProduct, NEWEST_FIRST, limit=limit, cursor=None,
            category_id=category_id,
        )  # fmt: skip
