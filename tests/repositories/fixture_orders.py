"""Test set-up for the order and payment tests: a shop (a product with two variants and their
stock) and buyers (a user with an address), carts filled through the carts repository, and the
counters read back with plain SQL on the test's connection."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import psycopg

from shopdb import Database, Transaction
from shopdb.models import CartLine, Checkout, NewUser

HASH = "$2b$12$" + "o" * 53
PRICES = (Decimal("19.90"), Decimal("5.05"))


@dataclass(frozen=True)
class Shop:
    """A user with an address, and a product whose two variants have 10 units each."""

    user_id: UUID
    address_id: UUID
    variants: tuple[UUID, UUID]


def new_buyer(repos: Transaction | Database, conn: psycopg.Connection[Any], shop: Shop) -> Shop:
    """Another user with an address, buying from the same shop."""
    tag = uuid4().hex[:10]
    user = repos.users.create(NewUser(email=f"buyer-{tag}@example.com", password_hash=HASH))
    address = conn.execute(
        """INSERT INTO addresses (user_id, full_name, line1, city, country)
           VALUES (%s, 'Ada Buyer', '1 Main St', 'Istanbul', 'TR') RETURNING id""",
        [user.id],
    ).fetchone()
    assert address is not None
    return Shop(user.id, address[0], shop.variants)


def new_shop(repos: Transaction | Database, conn: psycopg.Connection[Any], stock: int = 10) -> Shop:
    tag = uuid4().hex[:10]
    product = conn.execute(
        """INSERT INTO products (title, slug, price, status)
           VALUES (%s, %s, %s, 'ACTIVE') RETURNING id""",
        [f"Lamp {tag}", f"lamp-{tag}", PRICES[0]],
    ).fetchone()
    assert product is not None
    variants = []
    for n, price in enumerate(PRICES):
        row = conn.execute(
            """INSERT INTO product_variants (product_id, title, sku, price, is_primary)
               VALUES (%s, %s, %s, %s, %s) RETURNING id""",
            [product[0], f"Size {n}", f"LAMP-{tag}-{n}", price, n == 0],
        ).fetchone()
        assert row is not None
        conn.execute(
            "INSERT INTO inventory (product_variant_id, quantity_on_hand) VALUES (%s, %s)",
            [row[0], stock],
        )
        variants.append(row[0])
    return new_buyer(repos, conn, Shop(uuid4(), uuid4(), (variants[0], variants[1])))


def fill_cart(
    repos: Transaction | Database, shop: Shop, quantities: tuple[int, int] = (2, 1)
) -> UUID:
    cart = repos.carts.get_or_create_active(user_id=shop.user_id)
    for variant, quantity in zip(shop.variants, quantities, strict=True):
        if quantity:
            repos.carts.add_item(cart.id, CartLine(product_variant_id=variant, quantity=quantity))
    return cart.id


def checkout_of(shop: Shop, **changes: Any) -> Checkout:
    values: dict[str, Any] = {
        "shipping_address_id": shop.address_id,
        "billing_address_id": shop.address_id,
        "idempotency_key": f"key-{uuid4().hex}",
    }
    values.update(changes)
    return Checkout(**values)


def stock_of(conn: psycopg.Connection[Any], variant: UUID) -> tuple[int, int]:
    row = conn.execute(
        "SELECT quantity_on_hand, quantity_reserved FROM inventory WHERE product_variant_id = %s",
        [variant],
    ).fetchone()
    assert row is not None
    return row[0], row[1]


def insert_coupon(conn: psycopg.Connection[Any], code: str, **columns: Any) -> None:
    values = {"type": "PERCENTAGE", "value": Decimal("10"), **columns}
    names = ", ".join(values)
    marks = ", ".join(["%s"] * len(values))
    conn.execute(
        f"INSERT INTO coupons (code, {names}) VALUES (%s, {marks})",  # noqa: S608 (test set-up)
        [code, *values.values()],
    )
