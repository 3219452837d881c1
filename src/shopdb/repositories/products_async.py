"""ProductRepository: products with their variants, listings, search and details over
sql/products.sql. Soft-deleted products are hidden from every read."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Protocol, TypeVar
from uuid import UUID

from shopdb.core.errors import InvalidInput
from shopdb.core.paging import CursorPage, Keyset, Page
from shopdb.core.unit_async import unit_of_work
from shopdb.models.audit import Actor
from shopdb.models.audited import VariantPrice
from shopdb.models.products import (
    NewProduct,
    NewVariant,
    Product,
    ProductCategoryRef,
    ProductDetails,
    ProductFilters,
    ProductHit,
    ProductMediaRef,
    ProductPatch,
    ProductPrice,
    ProductSort,
    Variant,
    VariantOwner,
    VariantPatch,
    VariantStock,
)
from shopdb.repositories.base_async import AsyncShopRepository
from shopdb.repositories.catalog_cache import PRODUCT_INVALIDATIONS, PRODUCT_LEAVES, PRODUCT_READS
from shopdb.repositories.product_listings_async import LISTING_STATEMENTS, listing

_LAST_UUID = UUID(int=(1 << 128) - 1)
BEST_MATCH_FIRST = Keyset(
    ("window_before", "rank", "id"), (_LAST_UUID, Decimal("Infinity"), _LAST_UUID)
)
"""ORDER BY window_before DESC, rank DESC, id DESC (search): window by window, newest
window first, best match first within a window."""
MIN_SEARCH_WINDOW = 500
"""The fewest of the newest matches search ranks together (ProductRepository.search_window):
measured beside 200 and 1,000, 500 keeps the dearest word under half the 50 ms budget
(docs/performance.md, "How search stays under 50 ms")."""
MAX_SEARCH_TEXT = 1000
"""Characters of search text that count (the SQL cuts there too)."""


class _OfProduct(Protocol):
    @property
    def product_id(self) -> UUID: ...


P = TypeVar("P", bound=_OfProduct)


def _by_product(rows: Sequence[P]) -> dict[UUID, list[P]]:
    grouped: dict[UUID, list[P]] = {}
    for row in rows:
        grouped.setdefault(row.product_id, []).append(row)
    return grouped


def _money(price: Decimal) -> Decimal:
    """A price as the schema stores it: finite, not negative, at most two decimals."""
    exact = isinstance(price, Decimal) and price.is_finite()
    if not exact or price < 0 or price.as_tuple().exponent < -2:  # type: ignore[operator]
        raise InvalidInput(f"a price is a Decimal >= 0 with at most two decimals, not {price!r}")
    return price


def _filters(filters: ProductFilters | None) -> dict[str, Any]:
    return (filters or ProductFilters()).model_dump()


class AsyncProductRepository(AsyncShopRepository):
    """Products and their variants. Every product with variants has exactly one primary
    variant: the database holds it (migration 0018), checked at COMMIT."""

    namespace = "products"
    entity = "product"
    tables = ("products", "product_variants", "product_categories")
    json_parameters = frozenset({"attributes"})
    locks = {"lock_price": ProductPrice, "lock_variant_price": VariantPrice}
    queries = {
        "create": Product,
        "create_variant": Variant,
        "link_categories": None,
        "get": Product,
        "get_by_slug": Product,
        "find_by_sku": Product,
        **{name: Product for name in LISTING_STATEMENTS},
        "count_page": None,
        "list_page": Product,
        "search": ProductHit,
        "update": Product,
        "archive": Product,
        "soft_delete": None,
        "restore": Product,
        "variants_for": VariantStock,
        "categories_for": ProductCategoryRef,
        "media_for": ProductMediaRef,
        "get_variant": Variant,
        "update_variant": Variant,
        "delete_variant": None,
        "change_price": Product,
        "products_of_variants": VariantOwner,
    }
    cached_reads = PRODUCT_READS
    invalidations = PRODUCT_INVALIDATIONS
    leaves_cached = PRODUCT_LEAVES
    # search: the plan depends on how common the words are; list_page and count_page: every
    # filter optional, folded away only in a plan made for the values
    planned_per_call = frozenset({"search", "list_page", "count_page"})
    # The storefront's reads: a replica a moment behind shows the same shelf (a price is
    # taken again, locked, on the primary at checkout).
    replica_reads = frozenset({"get", "get_by_slug", "search", "list_page", "count_page"})
    constraint_messages = {
        "products_slug_key": "a product with this slug exists",
        "products_sku_key": "a product with this sku exists",
        "products_title_check": "a product title has 1 to 300 characters",
        "products_slug_check": "a slug is lowercase words of a-z and 0-9 joined by hyphens",
        "products_status_check": "a product is DRAFT, ACTIVE or ARCHIVED",
        "products_price_check": "a price cannot be negative",
        "products_compare_at_price_check": "a compare-at price cannot be negative",
        "products_currency_check": "a currency is a three-letter ISO 4217 code",
        "products_inventory_policy_check": "the inventory policy is TRACK, CONTINUE or DENY",
        "products_attributes_check": "attributes must be a JSON object",
        "products_version_check": "a version starts at 1",
        "product_variants_sku_key": "a variant with this sku exists",
        "product_variants_product_id_fkey": "the variant's product does not exist",
        "product_variants_price_check": "a variant price cannot be negative",
        "product_variants_compare_at_price_check": "a compare-at price cannot be negative",
        "product_variants_stock_check": "stock cannot be negative",
        "product_variants_weight_grams_check": "a weight cannot be negative",
        "product_variants_attributes_check": "attributes must be a JSON object",
        "product_variants_product_id_is_primary_key": "a product has one primary variant only",
        "product_variants_has_primary_check": (
            "every product with variants needs a primary variant: mark one primary before "
            "committing (the rule product_variants_has_primary_check)"
        ),
    }

    # --- writes ----------------------------------------------------------------------------

    @unit_of_work
    async def create_with_variants(self, new: NewProduct) -> ProductDetails:
        """Create the product, its variants (each with its inventory row) and its category
        links in one unit of work, and return its details. Takes no lock on existing rows
        (only the category rows' key share locks of the foreign keys)."""
        fields = new.model_dump(exclude={"variants", "category_ids", "primary_category_id"})
        product = await self._get("create", Product, **{**fields, "attributes": new.attributes})
        for variant in new.variants:
            await self.add_variant(product.id, variant)
        if new.category_ids:
            await self._count(
                "link_categories",
                product_id=product.id,
                category_ids=new.category_ids,
                primary_category_id=new.primary_category_id,
            )
        return await self.get_with_details(product.id)

    @unit_of_work
    async def add_variant(self, product_id: UUID, new: NewVariant) -> Variant:
        """Add a variant with its inventory row; a primary one must be left when the
        transaction commits (ConstraintViolation product_variants_has_primary_check)."""
        fields = new.model_dump(exclude={"attributes", "quantity_on_hand", "low_stock_threshold"})
        variant = await self._get(
            "create_variant", Variant, product_id=product_id, **fields, attributes=new.attributes
        )
        await self._tx.inventory.create(
            variant.id,
            quantity_on_hand=new.quantity_on_hand,
            low_stock_threshold=new.low_stock_threshold,
        )
        return variant

    async def update(
        self, product_id: UUID, patch: ProductPatch, *, expected_version: int
    ) -> Product:
        """Apply the fields set in ``patch``; StaleVersionError when the product moved on."""
        return await self._patch(
            "update", Product, patch, expected_version=expected_version, id=product_id
        )

    @unit_of_work
    async def change_price(
        self, product_id: UUID, price: Decimal, *, expected_version: int, actor: Actor
    ) -> Product:
        """Set the price, audited (``products``/``change_price``, before and after as
        ProductPrice) in the same unit of work; no entry when the price stays the same.
        Locks the product row FOR UPDATE first, then writes it and the audit row.
        StaleVersionError when the product moved on; NotFoundError when it is not live."""
        before = await self._lock("lock_price", ProductPrice, id=product_id)
        after = await self._update_versioned(
            "change_price", Product, expected_version=expected_version, id=product_id,
            price=_money(price),
        )  # fmt: skip
        charged = ProductPrice.of(after)
        return await self._audited(actor, "change_price", product_id, before, charged, result=after)

    async def archive(self, product_id: UUID, *, expected_version: int) -> Product:
        """Set the product ARCHIVED; StaleVersionError when it moved on since read."""
        return await self._update_versioned(
            "archive", Product, expected_version=expected_version, id=product_id
        )

    async def soft_delete(self, product_id: UUID) -> None:
        """Hide the product from every read; NotFoundError when there is no live product."""
        await self._touch("soft_delete", id=product_id)

    async def restore(self, product_id: UUID) -> Product:
        """Bring a soft-deleted product back; NotFoundError when there is none."""
        return await self._get("restore", Product, id=product_id)

    @unit_of_work
    async def update_variant(
        self, variant_id: UUID, patch: VariantPatch, *, actor: Actor | None = None
    ) -> Variant:
        """Apply the fields set in ``patch``. ``is_primary=True`` hands the primary role over
        (the previous primary is demoted in the same statement); ``False`` promotes the
        oldest other variant, and with none the COMMIT is refused. A price set is what carts
        charge: it is audited (``products``/``change_variant_price``, VariantPrice; None: the
        SYSTEM actor), the variant row locked first; no entry when the price stays."""
        if "price" not in patch.model_fields_set:
            return await self._patch("update_variant", Variant, patch, id=variant_id)
        before = await self._lock("lock_variant_price", VariantPrice, id=variant_id)
        after = await self._patch("update_variant", Variant, patch, id=variant_id)
        charged = VariantPrice(id=after.id, product_id=after.product_id, price=after.price)
        return await self._audited(actor or Actor.system(), "change_variant_price", variant_id,
                             before, charged, result=after)  # fmt: skip

    async def change_variant_price(
        self, variant_id: UUID, price: Decimal, *, actor: Actor | None = None
    ) -> Variant:
        """Set the price a cart charges for the variant, audited as ``update_variant``
        records a price; NotFoundError for an unknown variant, InvalidInput for a bad price."""
        return await self.update_variant(variant_id, VariantPatch(price=_money(price)), actor=actor)

    async def delete_variant(self, variant_id: UUID) -> None:
        """Delete a variant and its stock; a deleted primary hands over to the oldest other."""
        await self._touch("delete_variant", id=variant_id)

    # --- reads -----------------------------------------------------------------------------

    async def get(self, product_id: UUID) -> Product:
        """The live product with this id; NotFoundError otherwise."""
        return await self._get("get", Product, id=product_id)

    async def get_by_slug(self, slug: str) -> Product:
        """The live product with this slug; NotFoundError otherwise."""
        return await self._get("get_by_slug", Product, slug=slug)

    async def find_by_sku(self, sku: str) -> Product | None:
        """The live product with this sku, or with a variant of this sku; None otherwise."""
        return await self._find("find_by_sku", Product, sku=sku)

    async def get_variant(self, variant_id: UUID) -> Variant:
        """The variant with this id; NotFoundError otherwise."""
        return await self._get("get_variant", Variant, id=variant_id)

    async def list_active(
        self,
        filters: ProductFilters | None = None,
        *,
        sort: ProductSort = ProductSort.NEWEST,
        limit: int = 20,
        cursor: str | None = None,
    ) -> CursorPage[Product]:
        """Live products passing ``filters`` (ACTIVE by default), newest first or by price,
        ``limit`` at a time; pass ``next_cursor`` back for the next page."""
        name, keyset, params = listing(sort, filters or ProductFilters())
        return await self._page(name, Product, keyset, limit=limit, cursor=cursor, **params)

    async def list_page(
        self, filters: ProductFilters | None = None, *, page: int = 1, per_page: int = 50
    ) -> Page[Product]:
        """One offset page of live products, newest first, with the total (admin screens)."""
        return await self._offset_page(
            "list_page", "count_page", Product, page=page, per_page=per_page, **_filters(filters)
        )

    async def search(
        self,
        text: str,
        filters: ProductFilters | None = None,
        *,
        limit: int = 20,
        cursor: str | None = None,
    ) -> CursorPage[ProductHit]:
        """Live products matching every word of ``text`` (the last one as a prefix), best
        first. Punctuation and operators are word breaks, never syntax; only the first
        MAX_SEARCH_TEXT characters count; text without a word finds nothing.

        Matches are ranked (ts_rank: title and keywords above summary above description)
        in windows of ``search_window`` newest products: with at most that many matches
        the ranking is exact; with more, the pages run through the newest window best
        first, then the next window, so a common word costs the same as a rare one
        (docs/performance.md, "Search"). Every match is on some page."""
        text = text[:MAX_SEARCH_TEXT].replace("\x00", " ")
        return await self._page(
            "search",
            ProductHit,
            BEST_MATCH_FIRST,
            limit=limit,
            cursor=cursor,
            text=text,
            search_window=self.search_window,
            **_filters(filters),
        )

    @property
    def search_window(self) -> int:
        """How many of the newest matches search ranks together: MIN_SEARCH_WINDOW (500), and
        always at least one more than the largest page (501 with max_page_size 500), so that
        a page which ends a window exactly is followed by a full page and a cursor."""
        return max(MIN_SEARCH_WINDOW, self.max_page_size + 1)

    async def get_with_details(self, product_id: UUID) -> ProductDetails:
        """The live product with its variants, stock, categories and media: four queries, or
        none when the cache (REDIS_URL) holds it (docs/caching.md)."""
        return await self._cached("details", self._details, product_id=product_id)

    async def get_with_details_by_slug(self, slug: str) -> ProductDetails:
        """get_with_details of the live product with this slug; NotFoundError otherwise."""
        return await self.get_with_details(
            await self._cached("id_by_slug", self._id_by_slug, slug=slug)
        )

    async def _details(self, product_id: UUID) -> ProductDetails:
        return (await self.details_for([await self.get(product_id)]))[0]

    async def _id_by_slug(self, slug: str) -> UUID:
        return (await self.get_by_slug(slug)).id

    async def products_of_variants(self, variant_ids: Sequence[UUID]) -> dict[UUID, UUID]:
        """Variant id -> its product's id, for those of ``variant_ids`` that exist."""
        rows = await self._list("products_of_variants", VariantOwner, variant_ids=list(variant_ids))
        return {row.variant_id: row.product_id for row in rows}

    async def details_for(self, products: Sequence[Product]) -> list[ProductDetails]:
        """Details of many products in three queries whatever their number (no N+1)."""
        ids = [product.id for product in products]
        variants = _by_product(await self._list("variants_for", VariantStock, product_ids=ids))
        categories = _by_product(
            await self._list("categories_for", ProductCategoryRef, product_ids=ids)
        )
        media = _by_product(await self._list("media_for", ProductMediaRef, product_ids=ids))
        return [
            ProductDetails(
                product=product,
                variants=variants.get(product.id, []),
                categories=categories.get(product.id, []),
                media=media.get(product.id, []),
            )
            for product in products
        ]

    async def list_active_with_details(
        self,
        filters: ProductFilters | None = None,
        *,
        sort: ProductSort = ProductSort.NEWEST,
        limit: int = 20,
        cursor: str | None = None,
    ) -> CursorPage[ProductDetails]:
        """list_active with each product's details: four queries per page."""
        page = await self.list_active(filters, sort=sort, limit=limit, cursor=cursor)
        return CursorPage(await self.details_for(page.items), page.next_cursor)
