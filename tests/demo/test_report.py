"""The demo's query report: percentiles, slow queries, and N+1 found in a step."""

from __future__ import annotations

import io
from decimal import Decimal
from uuid import uuid4

import pytest
from rich.console import Console

from shopdb import Database, QueryRecord
from shopdb.demo.console import Story
from shopdb.demo.report import StepQueries, figures, n_plus_one, percentile, repeats
from shopdb.models import NewProduct, NewVariant, ProductStatus


def record(name: str, ms: float, rows: int = 1) -> QueryRecord:
    return QueryRecord(name, ms / 1000, rows)


def test_percentiles_interpolate_between_the_nearest_ranks() -> None:
    values = [float(v) for v in range(1, 101)]

    assert percentile([7.0], 0.95) == 7.0
    assert percentile([1.0, 3.0], 0.5) == 2.0
    assert percentile(values, 0.5) == pytest.approx(50.5)
    assert percentile(values, 0.95) == pytest.approx(95.05)
    with pytest.raises(ValueError, match="no values"):
        percentile([], 0.5)


def test_figures_give_calls_rows_percentiles_and_slow_counts_per_query() -> None:
    records = [record("users.get", ms) for ms in (1, 2, 3, 4, 250)] + [
        record("users.create", 5, rows=1),
    ]

    found = {f.name: f for f in figures(records, slow_query_ms=200)}

    get = found["users.get"]
    assert (get.calls, get.rows, get.slow, get.max_ms) == (5, 5, 1, 250)
    assert get.p50_ms == pytest.approx(3)
    assert get.p95_ms == pytest.approx(200.8)
    assert found["users.create"].slow == 0
    assert [f.name for f in figures(records, 200)] == ["users.get", "users.create"]


def test_a_query_run_three_times_in_one_step_is_an_n_plus_one() -> None:
    steps = [
        StepQueries("browse", [record("products.get", 1)] * 3 + [record("products.list", 1)]),
        StepQueries("cart", [record("carts.add_item", 1)] * 2),
    ]

    assert [(r.step, r.query, r.times) for r in n_plus_one(steps)] == [
        ("browse", "products.get", 3)
    ]
    assert [(r.step, r.query, r.times) for r in repeats(steps)] == [
        ("browse", "products.get", 3),
        ("cart", "carts.add_item", 2),
    ]


def _products(db: Database, count: int) -> None:
    for i in range(count):
        sku = f"REPORT-{uuid4().hex[:8]}-{i}"
        new = NewProduct(
            title=f"Report product {i}",
            slug=sku.lower(),
            status=ProductStatus.ACTIVE,
            price=Decimal(10),
            variants=[NewVariant(title="One", sku=sku, price=Decimal(10), is_primary=True)],
        )
        db.products.create_with_variants(new)


def test_the_report_finds_a_loop_of_reads_and_not_a_batched_read(db: Database) -> None:
    _products(db, 4)
    out = io.StringIO()
    story = Story(db, Console(file=out, width=120))
    page = db.products.list_active(limit=4).items

    with story.step("details one by one"):
        for product in page:
            db.products.get_with_details(product.id)
    with story.step("details in one go"):
        db.products.details_for(page)
    story.report(slow_query_ms=200)

    text = out.getvalue()
    assert "1. details one by one" in text and "2. details in one go" in text
    assert "N+1 found: products.get ran 4 times in step 'details one by one'" in text
    assert "in step 'details in one go'" not in text
    assert "queries run: 19 (4 named queries)" in text
    assert "slow queries (over 200 ms): none" in text


def test_the_report_says_no_n_plus_one_and_names_the_most_repeated_query(db: Database) -> None:
    out = io.StringIO()
    story = Story(db, Console(file=out, width=120))

    with story.step("two reads"):
        db.users.count()
        db.users.count()
    story.report(slow_query_ms=0)

    text = out.getvalue()
    assert (
        "no N+1 found: no step ran the same query 3 times or more; "
        "most repeated: users.count 2x in 'two reads'"
    ) in text
    assert "slow queries (over 0 ms): users.count (2x, max " in text
