"""Catalog reads on the generated catalogue (issue 10, point 7), through the repositories on
the pooled Database (prepared statements), medians against their budgets:

- list_active, first page and page DEEP_PAGE by keyset: < 10 ms each;
- search for common words: < 50 ms (how common: printed and in extra_info);
- categories.products_in over a subtree (root, branch, twig, leaf): < 50 ms;
- get_with_details: < 5 ms;
- page DEEP_PAGE by OFFSET (products.list_page, its count included, and the OFFSET
  statement alone) beside the keyset page, in the group "page 2000": figures, no budget.

Each call is warmed first (the working set in shared buffers / the page cache), then timed.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from benchmarks.catalog.conftest import DEEP_PAGE, PAGE_SIZE, Picks
from shopdb import Database
from shopdb.models import ProductFilters, ProductSort, ProductStatus

pytestmark = pytest.mark.timeout(3600)  # the first run generates the catalogue
ROUNDS = 30
COMMON_WORDS = ("cotton", "black", "shirt", "lea", "cotton shirt")


def _bench(benchmark: BenchmarkFixture, call: Callable[[], object], budget_ms: float) -> None:
    for _ in range(5):
        call()
    benchmark.pedantic(call, rounds=ROUNDS, warmup_rounds=5)  # type: ignore[no-untyped-call]
    if budget_ms:
        assert benchmark.stats is not None
        median_ms = benchmark.stats.stats.median * 1000
        benchmark.extra_info["median_ms"] = round(median_ms, 3)
        benchmark.extra_info["budget_ms"] = budget_ms
        assert median_ms < budget_ms, f"median {median_ms:.2f} ms over {budget_ms} ms"


@pytest.mark.benchmark(group="list_active")
def test_list_active_first_page(benchmark: BenchmarkFixture, catalog: Database) -> None:
    _bench(benchmark, lambda: catalog.products.list_active(limit=PAGE_SIZE), 10)


@pytest.mark.benchmark(group="list_active shapes")
@pytest.mark.parametrize(
    "shape", ["branch", "leaf", "collection", "price range", "branch by price", "twig by price"]
)
def test_list_active_filter_shapes(
    benchmark: BenchmarkFixture, catalog: Database, picks: Picks, shape: str
) -> None:
    """First pages of the filtered shapes (figures; no budget in issue 10)."""
    filters, sort = {
        "branch": (ProductFilters(category_id=picks.branch), ProductSort.NEWEST),
        "leaf": (ProductFilters(category_id=picks.leaf), ProductSort.NEWEST),
        "collection": (ProductFilters(collection_id=picks.collection), ProductSort.NEWEST),
        "price range": (
            ProductFilters(min_price=Decimal(100), max_price=Decimal(200)),
            ProductSort.PRICE_ASC,
        ),
        "branch by price": (ProductFilters(category_id=picks.branch), ProductSort.PRICE_DESC),
        "twig by price": (ProductFilters(category_id=picks.twig), ProductSort.PRICE_ASC),
    }[shape]
    assert catalog.products.list_active(filters, sort=sort, limit=PAGE_SIZE).items
    _bench(benchmark, lambda: catalog.products.list_active(filters, sort=sort, limit=PAGE_SIZE), 0)


@pytest.mark.benchmark(group="page 2000")
def test_list_active_deep_keyset_page(
    benchmark: BenchmarkFixture, catalog: Database, picks: Picks
) -> None:
    page = catalog.products.list_active(limit=PAGE_SIZE, cursor=picks.deep_cursor)
    assert len(page.items) == PAGE_SIZE
    _bench(
        benchmark,
        lambda: catalog.products.list_active(limit=PAGE_SIZE, cursor=picks.deep_cursor),
        10,
    )


@pytest.mark.benchmark(group="page 2000")
def test_list_page_offset_with_its_count(benchmark: BenchmarkFixture, catalog: Database) -> None:
    filters = ProductFilters(status=ProductStatus.ACTIVE)
    _bench(
        benchmark,
        lambda: catalog.products.list_page(filters, page=DEEP_PAGE, per_page=PAGE_SIZE),
        0,
    )


@pytest.mark.benchmark(group="page 2000")
def test_offset_statement_alone(benchmark: BenchmarkFixture, catalog_url: str) -> None:
    """The OFFSET query of list_page by itself (no count), on one prepared connection."""
    from benchmarks.catalog.plans import query

    statement = query("products.list_page").sql
    params: dict[str, Any] = {
        "category_id": None,
        "collection_id": None,
        "min_price": None,
        "max_price": None,
        "status": "ACTIVE",
        "limit": PAGE_SIZE,
        "offset": (DEEP_PAGE - 1) * PAGE_SIZE,
    }
    with psycopg.connect(catalog_url, autocommit=True, prepare_threshold=0) as conn:
        _bench(benchmark, lambda: conn.execute(statement, params).fetchall(), 0)


@pytest.mark.benchmark(group="list_page filtered")
@pytest.mark.parametrize("level", ["collection", "leaf"])
def test_list_page_of_a_collection_or_a_leaf(
    benchmark: BenchmarkFixture, catalog: Database, picks: Picks, level: str
) -> None:
    """list_page, page 2 with its count, every status, in a collection or a leaf (no budget)."""
    filters = ProductFilters(status=None, collection_id=picks.collection)
    if level == "leaf":
        filters = ProductFilters(status=None, category_id=picks.leaf)
    _bench(benchmark, lambda: catalog.products.list_page(filters, page=2, per_page=PAGE_SIZE), 0)


@pytest.mark.benchmark(group="search")
@pytest.mark.parametrize("text", COMMON_WORDS)
def test_search_common_words(
    benchmark: BenchmarkFixture, catalog: Database, catalog_url: str, text: str
) -> None:
    benchmark.extra_info["matches"] = _matches(catalog_url, text)
    _bench(benchmark, lambda: catalog.products.search(text, limit=PAGE_SIZE), 50)


@pytest.mark.benchmark(group="search, deep")
def test_search_a_common_word_page_thirty(benchmark: BenchmarkFixture, catalog: Database) -> None:
    """Page 30 of search("cotton"): the second window of 500 matches (no budget)."""
    cursor = None
    for _ in range(29):
        cursor = catalog.products.search("cotton", limit=PAGE_SIZE, cursor=cursor).next_cursor
    _bench(benchmark, lambda: catalog.products.search("cotton", cursor=cursor), 0)


@pytest.mark.benchmark(group="search in a subtree")
@pytest.mark.parametrize("level", ["root", "branch", "twig", "leaf"])
def test_search_in_a_subtree(
    benchmark: BenchmarkFixture, catalog: Database, picks: Picks, level: str
) -> None:
    """search("cotton") in a category subtree at each level (no budget)."""
    filters = ProductFilters(category_id=getattr(picks, level))
    _bench(benchmark, lambda: catalog.products.search("cotton", filters, limit=PAGE_SIZE), 0)


@pytest.mark.benchmark(group="products_in")
@pytest.mark.parametrize("level", ["root", "branch", "twig", "leaf"])
def test_products_in_a_subtree(
    benchmark: BenchmarkFixture, catalog: Database, picks: Picks, level: str
) -> None:
    category = getattr(picks, level)
    page = catalog.categories.products_in(category, status="ACTIVE", limit=PAGE_SIZE)
    assert page.items
    _bench(
        benchmark,
        lambda: catalog.categories.products_in(category, status="ACTIVE", limit=PAGE_SIZE),
        50,
    )


@pytest.mark.benchmark(group="details")
def test_get_with_details(benchmark: BenchmarkFixture, catalog: Database, picks: Picks) -> None:
    sample = picks.products[:200]
    for product in sample:  # the working set in the page cache: 200 products' rows
        catalog.products.get_with_details(product)
    ids = itertools.cycle(sample)
    _bench(benchmark, lambda: catalog.products.get_with_details(next(ids)), 5)


def _matches(url: str, text: str) -> int:
    """How many live ACTIVE products a search for ``text`` matches (its last word a prefix)."""
    words = text.split()
    tsquery = " & ".join([*words[:-1], f"{words[-1]}:*"])
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM products WHERE deleted_at IS NULL AND status = 'ACTIVE'"
            " AND search_vector @@ to_tsquery('simple', %s)",
            [tsquery],
        ).fetchone()
    assert row is not None
    return int(row[0])
