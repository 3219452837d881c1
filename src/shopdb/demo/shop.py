"""A small shop for the story while the demo seed profile is not there (shopdb.seeds)."""

from __future__ import annotations

from decimal import Decimal

from shopdb.database import Database
from shopdb.models import (
    CouponType,
    NewCategory,
    NewCoupon,
    NewProduct,
    NewVariant,
    ProductStatus,
)


def open_shop(db: Database) -> None:
    """Categories, four products (one running low on stock) and the coupon WELCOME10."""
    electronics = db.categories.create(NewCategory(name="Electronics", slug="electronics"))
    audio = db.categories.create(NewCategory(name="Audio", slug="audio", parent_id=electronics.id))
    cycling = db.categories.create(NewCategory(name="Cycling", slug="cycling"))
    for title, slug, category, words, variants in (
        (
            "Studio One Headphones",
            "studio-one-headphones",
            audio,
            ["headphones"],
            [("Graphite", "STUDIO-ONE-GRA", "7999.00", 35)],
        ),
        (
            "Echo Buds Pro",
            "echo-buds-pro",
            audio,
            ["earbuds", "headphones"],
            [
                ("Black", "ECHO-BUDS-PRO-BLK", "3499.00", 60),
                ("White", "ECHO-BUDS-PRO-WHT", "3499.00", 60),
            ],
        ),
        (
            "Lumen Light Set",
            "lumen-light-set",
            cycling,
            ["lights"],
            [("Front and rear", "LUMEN-LIGHT-SET", "899.00", 2)],
        ),
    ):
        db.products.create_with_variants(
            NewProduct(
                title=title, slug=slug, status=ProductStatus.ACTIVE,
                price=Decimal(variants[0][2]), category_ids=[category.id], search_keywords=words,
                variants=[
                    NewVariant(title=v, sku=sku, price=Decimal(price), quantity_on_hand=qty,
                               low_stock_threshold=5, is_primary=i == 0)
                    for i, (v, sku, price, qty) in enumerate(variants)
                ],
            )
        )  # fmt: skip
    db.coupons.create(NewCoupon(code="WELCOME10", type=CouponType.PERCENTAGE, value=Decimal(10)))
