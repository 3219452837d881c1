"""The catalogue of a profile: the category tree through the repository, products with their
variants, inventory, media and category links by COPY (only those not there yet)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from uuid import UUID

from psycopg.types.json import Jsonb

from shopdb.core.errors import NotFoundError
from shopdb.models import NewCategory
from shopdb.models.products import InventoryPolicy, ProductStatus
from shopdb.seeds.progress import Progress
from shopdb.seeds.store import HavingLookup, NaturalKeyLookup, SeedRepository
from shopdb.transaction import Transaction

CHUNK = 500
IMAGE_HOST = "https://res.cloudinary.com/shopdb-demo/image/upload"


@dataclass(frozen=True, slots=True)
class CategorySpec:
    """A category; parents come before their children in a list of them."""

    name: str
    slug: str
    parent_slug: str | None = None
    description: str | None = None
    display_order: int = 0


@dataclass(frozen=True, slots=True)
class VariantSpec:
    """A variant with its stock; the first of a product's variants is its primary."""

    title: str
    sku: str
    price: Decimal
    on_hand: int
    low_stock_threshold: int = 5
    attributes: dict[str, str] = field(default_factory=dict)
    compare_at_price: Decimal | None = None
    weight_grams: int | None = None


@dataclass(frozen=True, slots=True)
class ProductSpec:
    """An ACTIVE product in one category, with one image and at least one variant."""

    title: str
    slug: str
    category_slug: str
    summary: str
    description: str
    variants: tuple[VariantSpec, ...]
    keywords: tuple[str, ...] = ()
    compare_at_price: Decimal | None = None

    @property
    def asset_id(self) -> str:
        """The provider's id of the product's image."""
        return f"shopdb-seed/{self.slug}"


@dataclass(slots=True)
class CatalogueIds:
    """The ids of what the catalogue step wrote or found, by natural key."""

    categories: dict[str, UUID] = field(default_factory=dict)
    products: dict[str, UUID] = field(default_factory=dict)
    variants: dict[str, UUID] = field(default_factory=dict)


def seed_categories(tx: Transaction, specs: Sequence[CategorySpec], ids: CatalogueIds) -> None:
    """Each category by slug: found, or created under its parent (the tree's triggers keep
    level and path, so it goes through the repository rather than COPY)."""
    for spec in specs:
        try:
            found = tx.categories.get_by_slug(spec.slug)
        except NotFoundError:
            parent = ids.categories[spec.parent_slug] if spec.parent_slug else None
            found = tx.categories.create(
                NewCategory(
                    name=spec.name,
                    slug=spec.slug,
                    parent_id=parent,
                    description=spec.description,
                    display_order=spec.display_order,
                )
            )
        ids.categories[spec.slug] = found.id


def seed_products(
    store: SeedRepository, specs: Sequence[ProductSpec], ids: CatalogueIds, progress: Progress
) -> None:
    """The products, CHUNK at a time: each table gets by COPY the rows it lacks."""
    progress.start("products", len(specs))
    for start in range(0, len(specs), CHUNK):
        chunk = specs[start : start + CHUNK]
        _products(store, chunk, ids)
        _variants(store, chunk, ids)
        _media(store, chunk, ids)
        _category_links(store, chunk, ids)
        progress.advance(len(chunk))
    progress.finish()


def _products(store: SeedRepository, chunk: Sequence[ProductSpec], ids: CatalogueIds) -> None:
    slugs = [p.slug for p in chunk]
    found = store.ids(NaturalKeyLookup.PRODUCTS_BY_SLUG, slugs)
    store.copy("copy_products", [_product_row(p) for p in chunk if p.slug not in found])
    ids.products.update(
        store.ids(NaturalKeyLookup.PRODUCTS_BY_SLUG, slugs) if len(found) < len(chunk) else found
    )


def _variants(store: SeedRepository, chunk: Sequence[ProductSpec], ids: CatalogueIds) -> None:
    specs = {v.sku: (p, i, v) for p in chunk for i, v in enumerate(p.variants)}
    skus = list(specs)
    found = store.ids(NaturalKeyLookup.VARIANTS_BY_SKU, skus)
    rows = [
        _variant_row(ids.products[p.slug], v, primary=i == 0)
        for sku, (p, i, v) in specs.items()
        if sku not in found
    ]
    store.copy("copy_variants", rows)
    variants = store.ids(NaturalKeyLookup.VARIANTS_BY_SKU, skus) if rows else found
    ids.variants.update(variants)
    stocked = store.having(HavingLookup.VARIANTS_WITH_INVENTORY, list(variants.values()))
    store.copy(
        "copy_inventory",
        [
            (variants[sku], v.on_hand, v.low_stock_threshold)
            for sku, (_, _, v) in specs.items()
            if variants[sku] not in stocked
        ],
    )


def _media(store: SeedRepository, chunk: Sequence[ProductSpec], ids: CatalogueIds) -> None:
    assets = [p.asset_id for p in chunk]
    found = store.ids(NaturalKeyLookup.MEDIA_BY_ASSET, assets)
    store.copy("copy_media", [_media_row(p) for p in chunk if p.asset_id not in found])
    media = store.ids(NaturalKeyLookup.MEDIA_BY_ASSET, assets) if len(found) < len(chunk) else found
    products = [ids.products[p.slug] for p in chunk]
    linked = store.having(HavingLookup.PRODUCTS_WITH_MEDIA, products)
    store.copy(
        "copy_product_media",
        [
            (ids.products[p.slug], media[p.asset_id], 0, True)
            for p in chunk
            if ids.products[p.slug] not in linked
        ],
    )


def _category_links(store: SeedRepository, chunk: Sequence[ProductSpec], ids: CatalogueIds) -> None:
    linked = store.having(
        HavingLookup.PRODUCTS_WITH_CATEGORIES, [ids.products[p.slug] for p in chunk]
    )
    store.copy(
        "copy_product_categories",
        [
            (ids.products[p.slug], ids.categories[p.category_slug], True)
            for p in chunk
            if ids.products[p.slug] not in linked
        ],
    )


def _product_row(p: ProductSpec) -> tuple[object, ...]:
    price = p.variants[0].price
    return (
        p.title, p.slug, None, p.description, p.summary, ProductStatus.ACTIVE, price,
        p.compare_at_price, "TRY", InventoryPolicy.TRACK, list(p.keywords), Jsonb({}),
    )  # fmt: skip


def _variant_row(product_id: UUID, v: VariantSpec, *, primary: bool) -> tuple[object, ...]:
    return (
        product_id, v.title, v.sku, v.price, v.compare_at_price, Jsonb(v.attributes),
        v.weight_grams, primary,
    )  # fmt: skip


def _media_row(p: ProductSpec) -> tuple[object, ...]:
    url = f"{IMAGE_HOST}/{p.asset_id}.jpg"
    return (p.asset_id, url, "IMAGE", "CLOUDINARY", "image/jpeg", 182_400, 1200, 1200, p.title)
