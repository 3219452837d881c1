"""The async API's own tests (anyio's pytest plugin, on asyncio): ``adb`` is an open
AsyncDatabase on the test's own migrated database; ``admin`` a plain connection outside
shopdb (locks, pg_stat_activity, killing backends); the sync ``db`` sets up rows."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import psycopg
import pytest

from shopdb import AsyncDatabase, Database, Settings
from shopdb.models import User
from tests.support.factories import new_user


@pytest.fixture
def anyio_backend() -> str:
    """psycopg's async API runs on asyncio (not trio)."""
    return "asyncio"


@pytest.fixture
async def adb(settings: Settings) -> AsyncIterator[AsyncDatabase]:
    """An open AsyncDatabase on this test's own migrated database."""
    async with AsyncDatabase(settings) as database:
        yield database


@pytest.fixture
def admin(db_url: str) -> Iterator[psycopg.Connection[Any]]:
    """A connection outside shopdb, to hold locks, read pg_stat_activity, kill backends."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        yield conn


@pytest.fixture
def user(db: Database) -> User:
    """One stored user (written through the sync API)."""
    return db.users.create(new_user())
