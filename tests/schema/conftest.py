"""One migrated database per test module; each test runs in a transaction rolled back after it.

Cloning the template per test costs ~0.15 s; a rolled-back transaction costs well under a
millisecond, and the constraint tests need nothing else: a violating statement runs in a
savepoint, so the test can go on and check that nothing was written.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from shopdb.testing import scratch_database
from tests.schema.rows import Rows


@pytest.fixture(scope="module")
def schema_db(postgresql_server: Any) -> Iterator[psycopg.Connection[Any]]:
    """An autocommit connection to a migrated database of this module's own."""
    with (
        scratch_database(
            postgresql_server, "shopdb_schema", template=postgresql_server.template_dbname
        ) as url,
        psycopg.connect(url, autocommit=True) as conn,
    ):
        yield conn


@pytest.fixture
def conn(schema_db: psycopg.Connection[Any]) -> Iterator[psycopg.Connection[Any]]:
    """The module's connection inside a transaction that is rolled back after the test."""
    with schema_db.transaction(force_rollback=True):
        yield schema_db


@pytest.fixture
def rows(conn: psycopg.Connection[Any]) -> Rows:
    """A builder of valid rows on ``conn``."""
    return Rows(conn)
