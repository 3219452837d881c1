"""Coupons and collections, through their repositories (found by code and slug, or created)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from uuid import UUID

from shopdb.core.errors import NotFoundError
from shopdb.models import CollectionStatus, NewCollection, NewCoupon
from shopdb.transaction import Transaction


@dataclass(frozen=True, slots=True)
class CollectionSpec:
    """An ACTIVE collection and the slugs of its products, in display order."""

    name: str
    slug: str
    description: str
    product_slugs: tuple[str, ...]


def seed_coupons(tx: Transaction, coupons: Sequence[NewCoupon]) -> None:
    """Each coupon by code: left as it is when there, created otherwise."""
    for coupon in coupons:
        try:
            tx.coupons.get_by_code(coupon.code)
        except NotFoundError:
            tx.coupons.create(coupon)


def seed_collections(
    tx: Transaction, collections: Sequence[CollectionSpec], products: Mapping[str, UUID]
) -> None:
    """Each collection by slug, with the products it lacks appended in order."""
    for spec in collections:
        try:
            collection = tx.collections.get_by_slug(spec.slug)
        except NotFoundError:
            collection = tx.collections.create(
                NewCollection(
                    name=spec.name,
                    slug=spec.slug,
                    description=spec.description,
                    status=CollectionStatus.ACTIVE,
                )
            )
        listed = tx.collections.list_products(collection.id, limit=500).items
        present = {item.product_id for item in listed}
        for slug in spec.product_slugs:
            if products[slug] not in present:
                tx.collections.add_product(collection.id, products[slug])
