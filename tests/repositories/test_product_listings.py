"""list_active picks one statement per filter shape (docs/performance.md, "Optional filters
and generic plans"): each shape lists exactly what the filters select, in every sort."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from shopdb import Database, Transaction
from shopdb.models import Product, ProductFilters, ProductSort, ProductStatus
from tests.support.catalog import category, collection, new_product

SORTS = {
    ProductSort.NEWEST: ("list_newest", lambda p: (p.created_at, p.id), True),
    ProductSort.PRICE_ASC: ("list_by_price", lambda p: (p.price, p.id), False),
    ProductSort.PRICE_DESC: ("list_by_price_desc", lambda p: (p.price, p.id), True),
}


class Shop:
    """Products over two category levels and one collection, at three prices and statuses."""

    def __init__(self, tx: Transaction) -> None:
        self.clothes = category(tx)
        self.shirts = category(tx, self.clothes)
        self.shoes = category(tx)
        self.products: list[Product] = []
        self.categories: dict[UUID, set[UUID]] = {}
        cycle = itertools.cycle([[self.shirts], [self.clothes], [self.shoes], []])
        prices = itertools.cycle(["5.00", "20.00", "80.00"])
        statuses = itertools.cycle(["ACTIVE", "ACTIVE", "DRAFT"])
        for _ in range(12):
            categories = next(cycle)
            new = new_product(
                category_ids=categories, price=Decimal(next(prices)), status=next(statuses)
            )
            product = tx.products.create_with_variants(new).product
            self.products.append(product)
            self.categories[product.id] = set(categories)
        self.sale = collection(tx, [p.id for p in self.products[::2]])
        self.in_sale = {p.id for p in self.products[::2]}

    def expected(self, filters: ProductFilters, sort: ProductSort) -> list[UUID]:
        _name, key, descending = SORTS[sort]
        subtree = {
            None: None,
            self.clothes: {self.clothes, self.shirts},
            self.shirts: {self.shirts},
        }[filters.category_id]
        kept = [
            p
            for p in self.products
            if (filters.status is None or p.status == filters.status)
            and (filters.min_price is None or p.price >= filters.min_price)
            and (filters.max_price is None or p.price <= filters.max_price)
            and (filters.collection_id is None or p.id in self.in_sale)
            and (subtree is None or bool(self.categories[p.id] & subtree))
        ]
        return [p.id for p in sorted(kept, key=key, reverse=descending)]


def shapes(shop: Shop) -> list[tuple[ProductFilters, str]]:
    """Filters of every shape, with the suffix of the statement each must pick."""
    found = []
    for status, where, prices in itertools.product(
        [ProductStatus.ACTIVE, ProductStatus.DRAFT, None],
        ["none", "category", "subcategory", "collection", "both"],
        [
            (None, None),
            (Decimal("10"), None),
            (None, Decimal("20.00")),
            (Decimal("6"), Decimal("79")),
        ],
    ):
        values: dict[str, Any] = {"status": status, "min_price": prices[0], "max_price": prices[1]}
        if where in ("category", "both"):
            values["category_id"] = shop.clothes
        if where == "subcategory":
            values["category_id"] = shop.shirts
        if where in ("collection", "both"):
            values["collection_id"] = shop.sale
        driver = {"none": "", "category": "_in_category", "subcategory": "_in_category"}.get(
            where, "_in_collection"
        )
        found.append((ProductFilters(**values), "_any_status" if status is None else driver))
    return found


@pytest.mark.parametrize("sort", list(ProductSort))
def test_each_filter_shape_runs_its_own_statement_and_lists_what_it_selects(
    tx: Transaction, shared_db: Database, sort: ProductSort
) -> None:
    shop = Shop(tx)
    base = SORTS[sort][0]
    for filters, suffix in shapes(shop):
        listed: list[UUID] = []
        cursor = None
        with shared_db.capture_queries() as ran:
            while True:
                page = tx.products.list_active(filters, sort=sort, limit=2, cursor=cursor)
                listed += [p.id for p in page.items]
                if (cursor := page.next_cursor) is None:
                    break
        assert listed == shop.expected(filters, sort), filters
        assert {q.name for q in ran} == {f"products.{base}{suffix}"}, filters


@pytest.mark.parametrize("sort", list(ProductSort))
def test_a_wide_subtree_walks_the_sorted_index_and_lists_the_same(
    tx: Transaction, sort: ProductSort
) -> None:
    """Over 50 categories below it, a category shape walks the sort's index instead of
    sorting the subtree's products: the same products, in the same order, page by page."""
    top = category(tx)
    below = [category(tx, top) for _ in range(51)]
    elsewhere = category(tx)
    prices = itertools.cycle(["3.00", "7.50", "12.00"])
    inside = [
        tx.products.create_with_variants(
            new_product(category_ids=[below[n * 7]], price=Decimal(next(prices)))
        ).product
        for n in range(7)
    ]
    tx.products.create_with_variants(new_product(category_ids=[elsewhere]))
    _name, key, descending = SORTS[sort]
    expected = [p.id for p in sorted(inside, key=key, reverse=descending)]
    listed: list[UUID] = []
    cursor = None
    while True:
        page = tx.products.list_active(
            ProductFilters(category_id=top), sort=sort, limit=3, cursor=cursor
        )
        listed += [p.id for p in page.items]
        if (cursor := page.next_cursor) is None:
            break
    assert listed == expected
    assert [p.id for p in tx.categories.products_in(top, status="ACTIVE").items] == sorted(
        expected,
        key=lambda i: next((p.created_at, p.id) for p in inside if p.id == i),
        reverse=True,
    )
