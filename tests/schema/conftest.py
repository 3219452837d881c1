"""One migrated database per test module; each test runs in a transaction rolled back after it.

Cloning the template per test costs ~0.15 s; a rolled-back transaction costs well under a
millisecond, and the constraint tests need nothing else: a violating statement runs in a
savepoint, so the test can go on and check that nothing was written.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from pytest_postgresql.janitor import DatabaseJanitor

from tests.conftest import url_of
from tests.schema.rows import Rows


@pytest.fixture(scope="module")
def schema_db(postgresql_server: Any) -> Iterator[psycopg.Connection[Any]]:
    """An autocommit connection to a migrated database of this module's own."""
    name = f"shopdb_schema_{uuid4().hex[:12]}"
    janitor = DatabaseJanitor(
        user=postgresql_server.user,
        host=postgresql_server.host,
        port=postgresql_server.port,
        dbname=name,
        template_dbname=postgresql_server.template_dbname,
        password=postgresql_server.password,
        maintenance_dbname=postgresql_server.maintenance_dbname,
    )
    with janitor, psycopg.connect(url_of(postgresql_server, name), autocommit=True) as conn:
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
