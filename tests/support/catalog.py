"""Builders of valid catalog inputs and rows for the product and inventory tests.

Categories, collections and media have repositories of their own (another part of issue 10):
these tests write the few such rows they need with inline SQL on the test's connection.
"""

from __future__ import annotations

from decimal import Decimal
from itertools import count
from typing import Any
from uuid import UUID

from shopdb import Transaction
from shopdb.models import NewProduct, NewVariant

_serial = count(1)


def unique(prefix: str) -> str:
    """A slug-safe name no other call of this process returns."""
    return f"{prefix}-{next(_serial)}"


def new_variant(**overrides: Any) -> NewVariant:
    """A valid non-primary NewVariant with a fresh sku; keyword arguments replace any field."""
    values: dict[str, Any] = {
        "title": "Default",
        "sku": unique("sku"),
        "price": Decimal("10.00"),
        "quantity_on_hand": 10,
    }
    values.update(overrides)
    return NewVariant.model_validate(values)


def new_product(*, variants: int | list[NewVariant] = 1, **overrides: Any) -> NewProduct:
    """A valid ACTIVE NewProduct with ``variants`` variants (the first primary), or these."""
    if isinstance(variants, int):
        variants = [new_variant(is_primary=(n == 0)) for n in range(variants)]
    values: dict[str, Any] = {
        "title": "Plain shirt",
        "slug": unique("product"),
        "price": Decimal("10.00"),
        "status": "ACTIVE",
        "variants": variants,
    }
    values.update(overrides)
    return NewProduct.model_validate(values)


def category(tx: Transaction, parent: UUID | None = None, slug: str | None = None) -> UUID:
    """A category row (under ``parent``); its level and path come from the schema's trigger."""
    slug = slug or unique("category")
    row = tx.connection.execute(
        "INSERT INTO categories (name, slug, parent_id, level, path) "
        "VALUES (%s, %s, %s, 0, '') RETURNING id",
        [slug.title(), slug, parent],
    ).fetchone()
    assert row is not None
    return UUID(str(row[0]))


def collection(tx: Transaction, products: list[UUID]) -> UUID:
    """A collection holding ``products`` in that display order."""
    row = tx.connection.execute(
        "INSERT INTO collections (name, slug) VALUES ('Sale', %s) RETURNING id", [unique("c")]
    ).fetchone()
    assert row is not None
    for order, product in enumerate(products):
        tx.connection.execute(
            "INSERT INTO product_collections (product_id, collection_id, display_order) "
            "VALUES (%s, %s, %s)",
            [product, row[0], order],
        )
    return UUID(str(row[0]))


def medium(tx: Transaction, product: UUID, *, sort_order: int, primary: bool = False) -> UUID:
    """A media row linked to ``product``."""
    asset = unique("asset")
    row = tx.connection.execute(
        "INSERT INTO media (asset_id, url, type, provider, mime_type, size_bytes, alt) "
        "VALUES (%s, %s, 'IMAGE', 'S3', 'image/png', 10, 'a picture') RETURNING id",
        [asset, f"https://cdn.example.com/{asset}.png"],
    ).fetchone()
    assert row is not None
    tx.connection.execute(
        "INSERT INTO product_media (product_id, media_id, sort_order, is_primary) "
        "VALUES (%s, %s, %s, %s)",
        [product, row[0], sort_order, primary],
    )
    return UUID(str(row[0]))
