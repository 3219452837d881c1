"""EXPLAIN checks on the generated catalogue (issue 10, points 6 and 7): each filter shape of
list_active, categories.products_in and the reads of get_with_details, after 20
executions as one prepared statement, use the index intended for them; the old
``(:x IS NULL OR ...)`` form of list_newest (benchmarks/sql/catalog_or_filters.sql) is
explained beside them for comparison. search is never prepared (planned_per_call): its
plans are those of a statement planned with its values, for a common word, a rare one and
a category subtree.

Plain tests (no benchmark fixture): run them with
``pytest benchmarks/catalog/test_plans.py`` (``make bench`` runs benchmarks only).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import psycopg
import pytest

from benchmarks.catalog.conftest import Picks
from benchmarks.catalog.plans import SQL_DIR, generic_plan, plan_after, plan_per_call, query

pytestmark = pytest.mark.timeout(3600)  # the first run generates the catalogue
MAX_UUID = UUID(int=(1 << 128) - 1)
NEWEST = {"after_created_at": datetime.max.replace(year=9999), "after_id": MAX_UUID}
CHEAPEST = {"after_price": Decimal("-Infinity"), "after_id": UUID(int=0)}
DEAREST = {"after_price": Decimal("Infinity"), "after_id": MAX_UUID}
ANY_PRICE = {"min_price": Decimal("-Infinity"), "max_price": Decimal("Infinity")}
NO_PRICE = {"min_price": None, "max_price": None}
ACTIVE = {"status": "ACTIVE", "limit": 21}

Params = Callable[[Picks], dict[str, Any]]
SHAPES: dict[str, tuple[str, Params, set[str]]] = {
    # shape: (named query, its parameters, indexes its plan must use)
    "newest": ("products.list_newest", lambda p: {**NO_PRICE, **NEWEST, **ACTIVE}, {
        "products_status_created_at_idx"}),
    "newest, price range": ("products.list_newest", lambda p: {
        "min_price": Decimal(10), "max_price": Decimal(50), **NEWEST, **ACTIVE}, {
        "products_status_created_at_idx"}),
    "newest, category subtree": ("products.list_newest_in_category", lambda p: {
        "category_id": p.branch, **NO_PRICE, **NEWEST, **ACTIVE}, {
        "products_status_created_at_idx", "product_categories_pkey", "products_pkey"}),
    "newest, category leaf": ("products.list_newest_in_category", lambda p: {
        "category_id": p.leaf, **NO_PRICE, **NEWEST, **ACTIVE}, {
        "products_status_created_at_idx", "product_categories_category_id_idx", "products_pkey"}),
    "newest, collection": ("products.list_newest_in_collection", lambda p: {
        "collection_id": p.collection, "category_id": None, **NO_PRICE, **NEWEST, **ACTIVE}, {
        "product_collections_collection_id_display_order_idx", "products_pkey"}),
    "cheapest": ("products.list_by_price", lambda p: {**ANY_PRICE, **CHEAPEST, **ACTIVE}, {
        "products_status_price_idx"}),
    "cheapest, price range": ("products.list_by_price", lambda p: {
        "min_price": Decimal(100), "max_price": Decimal(200), "after_price": Decimal(100),
        "after_id": UUID(int=0), **ACTIVE}, {
        "products_status_price_idx"}),
    "dearest, category subtree": ("products.list_by_price_desc_in_category", lambda p: {
        "category_id": p.branch, **ANY_PRICE, **DEAREST, **ACTIVE}, {
        "products_status_price_idx", "product_categories_pkey", "products_pkey"}),
    "cheapest, category twig": ("products.list_by_price_in_category", lambda p: {
        "category_id": p.twig, **ANY_PRICE, **CHEAPEST, **ACTIVE}, {
        "products_status_price_idx", "product_categories_category_id_idx", "products_pkey"}),
    "cheapest, collection": ("products.list_by_price_in_collection", lambda p: {
        "collection_id": p.collection, "category_id": None, **ANY_PRICE, **CHEAPEST, **ACTIVE}, {
        "product_collections_collection_id_display_order_idx", "products_pkey"}),
    "products_in, subtree": ("categories.products_in_by_status", lambda p: {
        "category_id": p.root, **NEWEST, **ACTIVE}, {
        "products_status_created_at_idx", "product_categories_pkey"}),
    "products_in, leaf": ("categories.products_in_by_status", lambda p: {
        "category_id": p.leaf, **NEWEST, **ACTIVE}, {
        "product_categories_category_id_idx", "products_pkey"}),
    "details: product": ("products.get", lambda p: {"id": p.products[0]}, {"products_pkey"}),
    "details: variants": ("products.variants_for", lambda p: {"product_ids": p.products[:1]}, {
        "product_variants_product_id_idx"}),
}  # fmt: skip


FIRST_SEARCH_PAGE = {
    "collection_id": None,
    **NO_PRICE,
    "search_window": 500,
    "after_window_before": MAX_UUID,
    "after_rank": Decimal("Infinity"),
    "after_id": MAX_UUID,
    **ACTIVE,
}
SEARCHES: dict[str, tuple[Params, set[str]]] = {
    # search: (its parameters, indexes its plan must use)
    "a common word": (lambda p: {
        "text": "cotton", "category_id": None, **FIRST_SEARCH_PAGE}, {"products_pkey"}),
    "a rare word": (lambda p: {
        "text": "w4738", "category_id": None, **FIRST_SEARCH_PAGE}, {
        "products_search_vector_idx"}),
    "two words": (lambda p: {
        "text": "cotton shirt", "category_id": None, **FIRST_SEARCH_PAGE}, {
        "products_search_vector_idx"}),
    "a common word in a category branch": (lambda p: {
        "text": "cotton", "category_id": p.branch, **FIRST_SEARCH_PAGE}, {
        "product_categories_category_id_idx", "products_pkey"}),
}  # fmt: skip


@pytest.mark.parametrize("search", list(SEARCHES))
def test_search_is_planned_for_how_common_its_words_are(
    prepared: psycopg.Connection[Any], picks: Picks, search: str
) -> None:
    params, indexes = SEARCHES[search]
    plan = plan_per_call(prepared, query("products.search"), params(picks))
    print(f"search, {search}: {'; '.join(plan.scans)}")
    assert indexes <= plan.indexes, plan.scans
    if search == "a common word":  # a walk of the newest products, not every match
        assert "products_search_vector_idx" not in plan.indexes, plan.scans


@pytest.mark.parametrize("name", ["products.list_page", "products.count_page"])
@pytest.mark.parametrize("level", ["collection", "leaf"])
def test_the_admin_page_reads_only_the_named_products_when_planned_per_call(
    prepared: psycopg.Connection[Any], picks: Picks, name: str, level: str
) -> None:
    """list_page and count_page (every filter optional) are planned per call: the filter
    given names its products (products_pkey); the generic plan reads every product."""
    chosen = {"collection_id": picks.collection, "category_id": None}
    if level == "leaf":
        chosen = {"collection_id": None, "category_id": picks.leaf}
    named = query(name)
    values = {**chosen, **NO_PRICE, "status": None, "limit": 20, "offset": 20}
    params = {k: v for k, v in values.items() if f"%({k})s" in named.sql}
    per_call, generic = (
        plan_per_call(prepared, named, params),
        generic_plan(prepared, named, params),
    )
    print(
        f"{name}, {level}: per call {'; '.join(per_call.scans)}; generic {'; '.join(generic.scans)}"
    )
    assert "products_pkey" in per_call.indexes, per_call.scans
    assert "Seq Scan on products" not in per_call.scans


@pytest.mark.parametrize("shape", list(SHAPES))
def test_each_shape_keeps_its_index_after_twenty_executions(
    prepared: psycopg.Connection[Any], picks: Picks, shape: str
) -> None:
    name, params, indexes = SHAPES[shape]
    plan = plan_after(prepared, query(name), params(picks))
    print(f"{shape}: {'generic' if plan.generic else 'custom'} plan; {'; '.join(plan.scans)}")
    assert indexes <= plan.indexes, plan.scans


def test_the_is_null_or_form_beside_the_shapes(
    prepared: psycopg.Connection[Any], picks: Picks
) -> None:
    """The comparison: list_newest as it was, one statement with every filter optional, for
    a collection and for a leaf category, after 20 executions and as a generic plan."""
    old = query("catalog_or_filters.list_newest", SQL_DIR)
    base = {"category_id": None, "collection_id": None, **NO_PRICE, **NEWEST, **ACTIVE}
    cases = {
        "collection": ({**base, "collection_id": picks.collection}, "list_newest_in_collection"),
        "leaf category": ({**base, "category_id": picks.leaf}, "list_newest_in_category"),
    }
    for case, (params, shape_name) in cases.items():
        shape = query(f"products.{shape_name}")
        shape_params = {k: v for k, v in params.items() if k in shape.sql}
        for label, plan in (
            ("OR form, after 20", plan_after(prepared, old, params)),
            ("OR form, generic", generic_plan(prepared, old, params)),
            ("shape, after 20", plan_after(prepared, shape, shape_params)),
            ("shape, generic", generic_plan(prepared, shape, shape_params)),
        ):
            print(f"{case}, {label}: {'; '.join(plan.scans)}")
        assert "products_pkey" in generic_plan(prepared, shape, shape_params).indexes
