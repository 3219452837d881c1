"""asyncio tasks racing on one AsyncDatabase: the last units are never oversold, a coupon's
limit holds, one idempotency key places one order."""

from __future__ import annotations

import asyncio
from typing import Any

import psycopg
import pytest

from shopdb import AsyncDatabase, CouponUnavailable, Database, OutOfStockError
from tests.repositories.fixture_orders import (
    Shop,
    checkout_of,
    fill_cart,
    insert_coupon,
    new_buyer,
    new_shop,
    stock_of,
)

pytestmark = pytest.mark.anyio


async def test_tasks_racing_for_the_last_units_never_oversell(
    adb: AsyncDatabase, db: Database, admin: psycopg.Connection[Any]
) -> None:
    shop = new_shop(db, admin, stock=5)
    buyers = [new_buyer(db, admin, shop) for _ in range(12)]
    carts = [(buyer, fill_cart(db, buyer, (1, 0))) for buyer in buyers]

    async def place(buyer: Shop, cart_id: Any) -> str:
        try:
            await adb.orders.place_from_cart(cart_id, checkout_of(buyer))
        except OutOfStockError:
            return "out of stock"
        return "placed"

    outcomes = await asyncio.gather(*(place(buyer, cart) for buyer, cart in carts))

    assert sorted(outcomes) == ["out of stock"] * 7 + ["placed"] * 5
    assert stock_of(admin, shop.variants[0]) == (5, 5)
    assert adb.pool.checked_out == 0


async def test_tasks_racing_for_a_coupon_limited_to_ten_uses_get_exactly_ten(
    adb: AsyncDatabase, db: Database, admin: psycopg.Connection[Any]
) -> None:
    shop = new_shop(db, admin, stock=1000)
    insert_coupon(admin, "TENTIMES", usage_limit=10)
    buyers = [new_buyer(db, admin, shop) for _ in range(30)]
    carts = [(buyer, fill_cart(db, buyer, (1, 0))) for buyer in buyers]

    async def place(buyer: Shop, cart_id: Any) -> str:
        try:
            await adb.orders.place_from_cart(cart_id, checkout_of(buyer, coupon_code="TENTIMES"))
        except CouponUnavailable:
            return "refused"
        return "discounted"

    outcomes = await asyncio.gather(*(place(buyer, cart) for buyer, cart in carts))

    assert outcomes.count("discounted") == 10 and outcomes.count("refused") == 20
    used = admin.execute("SELECT usage_count FROM coupons WHERE code = 'TENTIMES'").fetchone()
    assert used == (10,)
    discounted = admin.execute("SELECT count(*) FROM orders WHERE discount_amount > 0")
    assert discounted.fetchone() == (10,)


async def test_tasks_racing_with_one_idempotency_key_place_exactly_one_order(
    adb: AsyncDatabase, db: Database, admin: psycopg.Connection[Any]
) -> None:
    shop = new_shop(db, admin)
    cart_id = fill_cart(db, shop)
    checkout = checkout_of(shop)

    placed = await asyncio.gather(
        *(adb.orders.place_from_cart(cart_id, checkout) for _ in range(6))
    )

    assert len({p.order.id for p in placed}) == 1
    assert admin.execute("SELECT count(*) FROM orders").fetchone() == (1,)
    assert stock_of(admin, shop.variants[0]) == (10, 2)
