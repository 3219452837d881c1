"""What the catalog's repositories cache and which writes invalidate it, as data
(``cached_reads`` and ``invalidations`` of each class; docs/caching.md).

Scopes (version tags): ``product`` (one per product: its details), ``product_slugs`` (slug ->
id), ``categories`` (the tree, every category page, the category refs in details),
``listings`` (every first page: a product's title, price, status or deletion shows there),
``collection`` (one per collection), ``reviews`` (one per product: its rating summary).
Every write to a table a cached read reads is listed here (``shopdb check`` holds it).
"""

from __future__ import annotations

from uuid import UUID

from shopdb.cache.spec import GLOBAL, Bump, CachedRead
from shopdb.core.paging import CursorPage
from shopdb.models.categories import Category, CategoryProduct
from shopdb.models.collections import CollectionProduct
from shopdb.models.products import ProductDetails
from shopdb.models.reviews import RatingSummary

PRODUCT_READS = {
    "details": CachedRead(
        returns=ProductDetails,
        queries=("get", "variants_for", "categories_for", "media_for"),
        key=("product_id",),
        scopes={"product": "product_id", "categories": None},
        soft_ttl_s=60,
        hard_ttl_s=600,
    ),
    "id_by_slug": CachedRead(
        returns=UUID,
        queries=("get_by_slug",),
        key=("slug",),
        scopes={"product_slugs": None},
        soft_ttl_s=300,
        hard_ttl_s=3600,
    ),
}

_PRODUCT_ROW = ("update", "archive", "soft_delete", "restore", "change_price")
PRODUCT_INVALIDATIONS = (
    *(Bump(f"products.{name}", "product", "id") for name in _PRODUCT_ROW),
    *(Bump(f"products.{name}", "listings") for name in (*_PRODUCT_ROW, "link_categories")),
    *(
        Bump(f"products.{n}", "product_slugs")
        for n in ("create", "update", "soft_delete", "restore")
    ),
    Bump("products.create_variant", "product", "product_id"),
    Bump("products.link_categories", "product", "product_id"),
    Bump("products.update_variant", "product", "product_id"),
    Bump("products.delete_variant", "product", "id", via="variant"),
    # stock: every counter a product page shows (checkout itself never reads the cache)
    *(
        Bump(f"inventory.{name}", "product", "variant_id", via="variant")
        for name in ("create", "reserve", "release", "commit", "restock", "adjust")
    ),
    *(
        Bump(f"inventory.{name}", "product", "variant_ids", via="variant")
        for name in ("reserve_all", "reserve_for_order", "release_all", "commit_all")
    ),
    *(
        Bump(f"media.{name}", "product", "product_id")
        for name in (
            "attach_to_product",
            "detach_from_product",
            "demote_product_primary",
            "promote_product_media",
        )
    ),
    Bump("media.promote_first_product_media", "product", "product_ids"),
    # settle_reservations names orders, not variants: the rows it writes are locked first
    Bump("inventory.lock_for_variants", "product", "variant_ids", via="variant"),
    Bump("products.create", "listings"),
    Bump("media.delete", GLOBAL),  # its products are not named: rare, empties the cache
)

_NEW = "has no entry yet (a miss is never cached)"
PRODUCT_LEAVES = {
    ("products.create", "products.details"): f"a new product {_NEW}",
    ("products.archive", "products.id_by_slug"): "archiving keeps the slug and the product",
    ("products.change_price", "products.id_by_slug"): "a price change keeps the slug",
    ("media.create", "products.details"): "new media is linked to no product yet",
    ("inventory.settle_reservations", "products.details"): (
        "the inventory rows it writes are locked first (lock_for_variants), which bumps them"
    ),
}

_HIERARCHY = ("create", "move", "rename", "rename_with_slug", "update", "delete")
CATEGORY_READS = {
    "tree": CachedRead(
        returns=list[Category],
        queries=("tree",),
        key=(),
        scopes={"categories": None},
        soft_ttl_s=60,
        hard_ttl_s=600,
    ),
    "first_page": CachedRead(
        returns=CursorPage[CategoryProduct],
        queries=("products_in",),
        key=("category_id", "limit"),
        scopes={"categories": None, "listings": None},
        soft_ttl_s=30,
        hard_ttl_s=300,
    ),
}
CATEGORY_INVALIDATIONS = tuple(Bump(f"categories.{name}", "categories") for name in _HIERARCHY)

COLLECTION_READS = {
    "first_page": CachedRead(
        returns=CursorPage[CollectionProduct],
        queries=("list_products",),
        key=("collection_id", "limit"),
        scopes={"collection": "collection_id", "listings": None},
        soft_ttl_s=30,
        hard_ttl_s=300,
    ),
}
COLLECTION_INVALIDATIONS = tuple(
    Bump(f"collections.{name}", "collection", "collection_id")
    for name in ("add_product", "remove_product", "reorder_products")
)

REVIEW_READS = {
    "rating_summary": CachedRead(
        returns=RatingSummary,
        queries=("rating_summary",),
        key=("product_id",),
        scopes={"reviews": "product_id"},
        soft_ttl_s=120,
        hard_ttl_s=1800,
    ),
}
REVIEW_LEAVES = {
    ("reviews.vote", "reviews.rating_summary"): "helpful votes are not in the summary",
    ("reviews.erase_text_for_user", "reviews.rating_summary"): "erasure keeps every rating",
}
REVIEW_INVALIDATIONS = (
    Bump("reviews.submit", "reviews", "product_id"),
    Bump("reviews.moderate", "reviews", "product_id"),
)
