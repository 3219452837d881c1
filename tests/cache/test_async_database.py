"""AsyncDatabase reads the catalog through the same cache as Database (the asyncio driver over
redis.asyncio), and its writes reach the cached reads only after COMMIT."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
import redis

from shopdb import AsyncDatabase, Database, Settings
from shopdb.cache.aio import AsyncCache
from shopdb.models import Actor
from shopdb.testing.redis_server import RedisServer
from tests.cache.conftest import cache_settings
from tests.support.catalog import new_product

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    """psycopg's async API runs on asyncio."""
    return "asyncio"


@pytest.fixture
def product_id(settings: Settings) -> UUID:
    """A product with one variant, written through the sync API (no cache)."""
    with Database(settings) as db:
        return db.products.create_with_variants(new_product()).product.id


async def details(adb: AsyncDatabase, product_id: UUID) -> tuple[Any, list[str]]:
    """get_with_details of the product and the names of the queries it ran."""
    with adb.capture_queries() as records:
        found = await adb.products.get_with_details(product_id)
    return found, [r.name for r in records]


async def test_a_second_read_comes_from_redis(
    settings: Settings, redis_srv: RedisServer, raw_redis: redis.Redis, product_id: UUID
) -> None:
    async with AsyncDatabase(cache_settings(settings, redis_srv)) as adb:
        assert isinstance(adb.cache, AsyncCache)
        cold, ran = await details(adb, product_id)
        warm, ran_again = await details(adb, product_id)

    assert len(ran) == 4 and ran_again == []
    assert warm == cold
    assert raw_redis.dbsize() > 0


async def test_a_committed_price_change_reaches_the_cached_read_and_a_rollback_does_not(
    settings: Settings, redis_srv: RedisServer, raw_redis: redis.Redis, product_id: UUID
) -> None:
    async with AsyncDatabase(cache_settings(settings, redis_srv)) as adb:
        before, _ = await details(adb, product_id)
        version = before.product.version

        with pytest.raises(RuntimeError):
            async with adb.transaction() as tx:
                await tx.products.change_price(
                    product_id, Decimal("99.00"), expected_version=version, actor=Actor.system()
                )
                raise RuntimeError("roll it back")
        kept, ran = await details(adb, product_id)
        assert (kept.product.price, ran) == (before.product.price, [])

        async with adb.transaction() as tx:
            await tx.products.change_price(
                product_id, Decimal("42.00"), expected_version=version, actor=Actor.system()
            )
        after, ran_after = await details(adb, product_id)

    assert after.product.price == Decimal("42.00")
    assert len(ran_after) == 4  # the commit bumped the product's tag: read again
