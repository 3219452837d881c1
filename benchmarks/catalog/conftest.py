"""The generated catalogue (benchmarks/catalog/data.py) for the catalog benchmarks.

Its sizes come from SHOPDB_BENCH_PRODUCTS (1,000,000), SHOPDB_BENCH_VARIANTS_PER_PRODUCT (3)
and SHOPDB_BENCH_CATEGORIES (10,000); it lives in the database SHOPDB_BENCH_CATALOG_DB
(bench_catalog) of the benchmark server, is generated on first use and reused afterwards
(pending migrations are applied to it), and is left in place: drop it when done.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import psycopg
import pytest

from benchmarks.catalog import data
from benchmarks.databases import bench_database
from shopdb import Database, Settings, migrations
from shopdb.core.paging import CursorPage
from shopdb.models import Product
from shopdb.testing import Server

DEEP_PAGE = 2_000
PAGE_SIZE = 20


@dataclass(frozen=True, slots=True)
class Picks:
    """Rows of the catalogue the benchmarks read: a subtree at each level, a collection,
    products for details, and the cursor of a deep page."""

    root: UUID
    branch: UUID
    twig: UUID
    leaf: UUID
    collection: UUID
    products: list[UUID]
    deep_cursor: str


def _sizes() -> data.Sizes:
    env = os.environ
    return data.Sizes(
        int(env.get("SHOPDB_BENCH_PRODUCTS", "1000000")),
        int(env.get("SHOPDB_BENCH_VARIANTS_PER_PRODUCT", "3")),
        int(env.get("SHOPDB_BENCH_CATEGORIES", "10000")),
    )


@pytest.fixture(scope="session")
def sizes() -> data.Sizes:
    return _sizes()


@pytest.fixture(scope="session")
def catalog_url(bench_server: Server, sizes: data.Sizes) -> str:
    """The catalogue's database: generated at these sizes once, reused afterwards."""
    server_url = bench_server.url("postgres")
    name = os.environ.get("SHOPDB_BENCH_CATALOG_DB", "bench_catalog")
    url = data.ensure_catalog(server_url, name, sizes)
    migrations.apply(Settings(database_url=url))
    return url


@pytest.fixture(scope="session")
def catalog(catalog_url: str) -> Iterator[Database]:
    """An open Database on the catalogue, default pool settings (prepared statements)."""
    with bench_database(catalog_url, "shopdb-bench-catalog") as database:
        yield database


@pytest.fixture
def prepared(catalog_url: str) -> Iterator[psycopg.Connection[Any]]:
    """A plain autocommit connection for PREPARE / EXECUTE / EXPLAIN."""
    with psycopg.connect(catalog_url, autocommit=True) as conn:
        yield conn


@pytest.fixture(scope="session")
def picks(catalog: Database, catalog_url: str, sizes: data.Sizes) -> Picks:
    """The rows the benchmarks use; following DEEP_PAGE cursors once for the deep page."""
    leaves = data.leaf_categories(sizes.categories)
    chain = [leaves[len(leaves) // 2]]
    while (parent := data.category_parent(chain[-1])) is not None:
        chain.append(parent)
    chain.reverse()  # root first
    cursor: str | None = None
    page: CursorPage[Product] | None = None
    for _ in range(DEEP_PAGE - 1):
        page = catalog.products.list_active(limit=PAGE_SIZE, cursor=cursor)
        cursor = page.next_cursor
    assert cursor is not None
    step = max(sizes.products // 1000, 1)
    spread = [data.product_id(n, sizes.products) for n in range(0, sizes.products, step)]
    with psycopg.connect(catalog_url) as conn:
        live = conn.execute(
            "SELECT id FROM products WHERE id = ANY(%s::uuid[]) AND deleted_at IS NULL ORDER BY id",
            [spread],
        ).fetchall()
    return Picks(
        root=UUID(data.category_id(chain[0])),
        branch=UUID(data.category_id(chain[1])),
        twig=UUID(data.category_id(chain[2])),
        leaf=UUID(data.category_id(chain[-1])),
        collection=UUID(data.collection_id(7)),
        products=[row[0] for row in live],
        deep_cursor=cursor,
    )
