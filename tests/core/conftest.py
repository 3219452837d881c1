"""Fixtures for the toolkit tests: an autocommit side connection to the test's database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from shopdb import Database
from shopdb.models import NewUser, User

HASH = "$2b$12$" + "k" * 53


@pytest.fixture
def admin(db_url: str) -> Iterator[psycopg.Connection[Any]]:
    """A connection outside shopdb, to hold locks and terminate backends."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        yield conn


@pytest.fixture
def user(db: Database) -> User:
    """One stored user."""
    return db.users.create(NewUser(email="someone@example.com", password_hash=HASH))
