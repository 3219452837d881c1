"""The cache's tests: one private redis-server per module (never 6379), a Database on the
test's own database with REDIS_URL pointing there, Redis emptied before each test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import redis

from shopdb import Database, Settings
from shopdb.testing import with_settings
from shopdb.testing.redis_server import RedisServer, redis_server


@pytest.fixture(scope="module")
def redis_srv() -> Iterator[RedisServer]:
    """A redis-server of this module's own; restarted by a test that stopped it."""
    with redis_server() as server:
        yield server


@pytest.fixture
def raw_redis(redis_srv: RedisServer) -> Iterator[redis.Redis]:
    """A plain client of the test's server, emptied first."""
    if not redis_srv.answers():
        redis_srv.restart()
    client = redis.Redis.from_url(redis_srv.url)
    client.flushall()
    yield client
    client.close()


def cache_settings(settings: Settings, server: RedisServer, **overrides: Any) -> Settings:
    """The test's settings with REDIS_URL at ``server``, a short breaker cool-down, and a
    Redis timeout a loaded 2-core CI machine keeps (the outage tests set a short one)."""
    values = {"cache_breaker_cooldown_ms": 300, "cache_timeout_ms": 1000, **overrides}
    return with_settings(settings, redis_url=server.url, **values)


@pytest.fixture
def cached_db(
    settings: Settings, redis_srv: RedisServer, raw_redis: redis.Redis
) -> Iterator[Database]:
    """An open Database with the cache on, over the test's own database."""
    with Database(cache_settings(settings, redis_srv)) as database:
        yield database
