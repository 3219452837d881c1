"""Two customers of one shop: ``alice`` (the one whose view is used) and ``mallory``
(another customer, whose rows alice's view must not reach), each with an address. Every
test runs on both APIs (``api``: the sync Database's, then an AsyncDatabase's)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import psycopg
import pytest

from shopdb import Transaction
from shopdb.customers import CustomerView
from tests.repositories.fixture_orders import Shop, new_buyer, new_shop


@pytest.fixture(params=["sync", "async"])
def api(request: pytest.FixtureRequest) -> str:
    """The API under test."""
    param: str = request.param
    return param


@pytest.fixture
def alice(tx: Transaction) -> Shop:
    """A customer with an address, and a shop of one product with two variants."""
    return new_shop(tx, tx.connection)


@pytest.fixture
def mallory(tx: Transaction, alice: Shop) -> Shop:
    """Another customer with an address, buying from the same shop."""
    return new_buyer(tx, tx.connection, alice)


@pytest.fixture
def mine(tx: Transaction, alice: Shop) -> CustomerView:
    """Alice's view, on the test's transaction."""
    return tx.customer(alice.user_id)


def row(conn: psycopg.Connection[Any], table: str, row_id: UUID) -> tuple[Any, ...] | None:
    """The whole row as it is stored now (to show that nothing was written)."""
    query = f"SELECT * FROM {table} WHERE id = %s"  # noqa: S608 (a test's own table names)
    return conn.execute(query, [row_id]).fetchone()


def product_of(conn: psycopg.Connection[Any], variant_id: UUID) -> UUID:
    """The product of a variant."""
    found = conn.execute(
        "SELECT product_id FROM product_variants WHERE id = %s", [variant_id]
    ).fetchone()
    assert found is not None
    return UUID(str(found[0]))
