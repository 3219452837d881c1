"""Set-up of the hostile-input tests: a world of valid rows to aim the bad values at, and a
fingerprint of a table (its rows, hashed) to show that a refused call wrote nothing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import psycopg
import pytest
from psycopg import sql

from shopdb import Database
from tests.repositories.fixture_products import insert_product
from tests.schema.rows import Rows


@dataclass(frozen=True)
class World:
    """Valid rows of one test's database; each case points its one bad value at them."""

    db: Database
    user_id: UUID
    address_id: UUID
    cart_id: UUID
    product_id: UUID
    variant_id: UUID
    order_id: UUID
    payment_id: UUID


@pytest.fixture
def conn(db_url: str) -> Iterator[psycopg.Connection[Any]]:
    """A plain autocommit connection to the test's database, beside the library's pool."""
    with psycopg.connect(db_url, autocommit=True) as connection:
        yield connection


@pytest.fixture
def world(db: Database, conn: psycopg.Connection[Any]) -> World:
    rows = Rows(conn)
    user_id = rows.id("users")
    product_id = insert_product(conn)
    found = conn.execute(
        "SELECT id FROM product_variants WHERE product_id = %s", [product_id]
    ).fetchone()
    assert found is not None
    variant_id = found[0]
    rows.insert("inventory", product_variant_id=variant_id, quantity_reserved=0)
    cart_id = rows.id("carts", user_id=user_id)
    rows.insert("cart_items", cart_id=cart_id, product_variant_id=variant_id)
    with conn.transaction():  # an order's amounts are checked against its items at COMMIT
        order_id = rows.id("orders")
        rows.insert("order_items", order_id=order_id, product_id=product_id,
                    product_variant_id=variant_id)  # fmt: skip
        payment_id = rows.id("payments", order_id=order_id)
    return World(
        db=db,
        user_id=user_id,
        address_id=rows.id("addresses", user_id=user_id),
        cart_id=cart_id,
        product_id=product_id,
        variant_id=variant_id,
        order_id=order_id,
        payment_id=payment_id,
    )


def fingerprint(conn: psycopg.Connection[Any], table: str) -> tuple[Any, ...]:
    """How many rows ``table`` has and a hash of all of them: any insert, update or delete
    changes it."""
    query = sql.SQL(
        "SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {} t"
    ).format(sql.Identifier(table))
    row = conn.execute(query).fetchone()
    assert row is not None
    return tuple(row)
