"""Which statement list_active runs for a sort and the shape of its filters, and with what.

One named statement per filter shape (sql/products.sql), so that the generic plan PostgreSQL
may settle on after five executions of a prepared statement keeps the index of the shape:
docs/performance.md, "Optional filters and generic plans", has the decision and the plans.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from shopdb.core.paging import NEWEST_FIRST, Keyset
from shopdb.models.products import ProductFilters, ProductSort

_MAX_UUID = UUID(int=(1 << 128) - 1)
CHEAPEST_FIRST = Keyset(("price", "id"), (Decimal("-Infinity"), UUID(int=0)))
"""ORDER BY price, id with ``(price, id) > (:after_price, :after_id)``."""
DEAREST_FIRST = Keyset(("price", "id"), (Decimal("Infinity"), _MAX_UUID))
"""ORDER BY price DESC, id DESC with ``(price, id) < (:after_price, :after_id)``."""
_LISTINGS = {
    ProductSort.NEWEST: ("list_newest", NEWEST_FIRST),
    ProductSort.PRICE_ASC: ("list_by_price", CHEAPEST_FIRST),
    ProductSort.PRICE_DESC: ("list_by_price_desc", DEAREST_FIRST),
}
_SHAPES = ("", "_in_category", "_in_collection", "_any_status")
LISTING_STATEMENTS = [f"{base}{shape}" for base, _keyset in _LISTINGS.values() for shape in _SHAPES]
_UNBOUNDED = (Decimal("-Infinity"), Decimal("Infinity"))


def listing(sort: ProductSort, filters: ProductFilters) -> tuple[str, Keyset, dict[str, Any]]:
    """The statement of list_active for the shape of ``filters``, its keyset, its parameters.

    One statement per shape, so that a prepared statement's generic plan (PostgreSQL's choice
    after five executions) keeps the index the shape needs: the driving filter (collection,
    else category, else none) and the status are always bound, never ``:x IS NULL OR``;
    price bounds are index conditions of the price sorts (unbounded: -Infinity, Infinity) and
    plain filters of the newest-first walk. Every status (None) is the admin listing: one
    statement per sort, sorted in memory. docs/performance.md, "Optional filters and generic
    plans", has the plans."""
    base, keyset = _LISTINGS[sort]
    params = filters.model_dump()
    if filters.status is None:
        del params["status"]
        return f"{base}_any_status", keyset, params
    if filters.collection_id is not None:
        name = f"{base}_in_collection"
    elif filters.category_id is not None:
        name = f"{base}_in_category"
        del params["collection_id"]
    else:
        name = base
        del params["collection_id"], params["category_id"]
    if sort is ProductSort.NEWEST:
        return name, keyset, params
    lowest, highest = _UNBOUNDED
    params["min_price"] = lowest if filters.min_price is None else filters.min_price
    params["max_price"] = highest if filters.max_price is None else filters.max_price
    # The first page seeks from the near bound itself: btree cannot merge a row comparison
    # with a scalar bound, and from (-Infinity, 0) it read every cheaper entry (45 ms at 1M).
    if sort is ProductSort.PRICE_ASC and filters.min_price is not None:
        keyset = Keyset(keyset.order, (filters.min_price, UUID(int=0)))
    elif sort is ProductSort.PRICE_DESC and filters.max_price is not None:
        keyset = Keyset(keyset.order, (filters.max_price, _MAX_UUID))
    return name, keyset, params
