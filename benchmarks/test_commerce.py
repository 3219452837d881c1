"""Commerce hot paths on a large data set (issue 11, point 9).

The data set is benchmarks/commerce_data.py's, made with COPY in a database of its own named
after its size and reused while it is complete (drop it with ``--drop``):
SHOPDB_BENCH_COMMERCE_USERS users (default 1,000,000), SHOPDB_BENCH_COMMERCE_ORDERS orders
(default 5,000,000) and three items per order. Medians, each under its budget: a user's order
history, first page (5 ms); an order with its items (3 ms); place_from_cart of a 5-line cart
(20 ms). Then 8 workers check out pre-filled carts at once, some holding one of a few scarce
variants: orders per second, and no error but the expected OutOfStockError. The reads'
plans (EXPLAIN of the same SQL) must use the indexes named.
"""

from __future__ import annotations

import itertools
import os
import random
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from benchmarks import commerce_data as data
from benchmarks import commerce_rows as rows
from benchmarks import commerce_shop as shop
from benchmarks.databases import bench_database
from shopdb import Database
from shopdb.core.paging import NEWEST_FIRST
from shopdb.models import Checkout, OrderStatus
from shopdb.testing import Server

ORDERS = int(os.environ.get("SHOPDB_BENCH_COMMERCE_ORDERS", "5000000"))
SIZE = rows.Size(
    users=int(os.environ.get("SHOPDB_BENCH_COMMERCE_USERS", "1000000")),
    orders=ORDERS,
    items=int(os.environ.get("SHOPDB_BENCH_COMMERCE_ITEMS", str(3 * ORDERS))),
)
SAMPLE = 1_000
ROUNDS = 2_000
CHECKOUT_ROUNDS = 200
WORKERS = 8
CARTS_PER_WORKER = 60
THROUGHPUT_ROUNDS = 3

# Generating 5,000,000 orders with COPY takes minutes: far over the per-test default.
pytestmark = pytest.mark.timeout(3600)


@pytest.fixture(scope="module")
def commerce_url(bench_server: Server) -> str:
    """The data set of SIZE (made unless a complete one exists)."""
    url, timings = data.ensure(SIZE, bench_server.url("postgres"))
    print(f"\ncommerce data set {SIZE}: {str(timings) if timings else 'reused'}")
    return url


@pytest.fixture(scope="module")
def cdb(commerce_url: str) -> Iterator[Database]:
    with bench_database(commerce_url, "shopdb-bench-commerce") as database:
        yield database


@pytest.fixture(scope="module")
def buyers(cdb: Database) -> list[shop.Buyer]:
    return shop.make_buyers(cdb, WORKERS * CARTS_PER_WORKER)


def _median_within(benchmark: BenchmarkFixture, budget_ms: float, url: str) -> None:
    assert benchmark.stats is not None
    median_ms = benchmark.stats.stats.median * 1000
    benchmark.extra_info["median_ms"] = round(median_ms, 3)
    benchmark.extra_info["weather"] = weather = shop.weather(url)
    print(f"\n{benchmark.name}: median {median_ms:.3f} ms, server now {weather}")
    benchmark.extra_info["size"] = f"{SIZE.users} users, {SIZE.orders} orders, {SIZE.items} items"
    assert median_ms < budget_ms, f"median {median_ms:.3f} ms over {budget_ms} ms"


@pytest.mark.benchmark(group="commerce")
def test_order_history_first_page(
    benchmark: BenchmarkFixture, cdb: Database, commerce_url: str
) -> None:
    rng = random.Random(11)
    users = [rows.user_id(rng.randrange(SIZE.users)) for _ in range(SAMPLE)]
    cycle = itertools.cycle(users)
    assert cdb.orders.list_for_user(users[0]).items

    benchmark.pedantic(lambda: cdb.orders.list_for_user(next(cycle)), rounds=ROUNDS,
                       warmup_rounds=200)  # type: ignore[no-untyped-call]  # fmt: skip
    _median_within(benchmark, 5.0, commerce_url)

    start = dict(zip(("after_created_at", "after_id"), NEWEST_FIRST.start, strict=True))
    plain = shop.plan_indexes(commerce_url, "list_for_user",
                          {"user_id": users[1], "limit": 21, **start})  # fmt: skip
    by_status = shop.plan_indexes(
        commerce_url, "list_for_user_by_status",
        {"user_id": users[1], "status": OrderStatus.DELIVERED, "limit": 21, **start},
    )  # fmt: skip
    benchmark.extra_info["indexes"] = {"list_for_user": plain, "by_status": by_status}
    assert plain == ["orders_user_id_status_created_at_idx"]
    assert by_status == ["orders_user_id_status_created_at_idx"]


@pytest.mark.benchmark(group="commerce")
def test_get_order_with_items(
    benchmark: BenchmarkFixture, cdb: Database, commerce_url: str
) -> None:
    rng = random.Random(12)
    orders = [rows.order_id(rng.randrange(SIZE.orders)) for _ in range(SAMPLE)]
    cycle = itertools.cycle(orders)
    assert len(cdb.orders.get(orders[0]).items) == SIZE.items_of(0)

    benchmark.pedantic(lambda: cdb.orders.get(next(cycle)), rounds=ROUNDS,
                       warmup_rounds=200)  # type: ignore[no-untyped-call]  # fmt: skip
    _median_within(benchmark, 3.0, commerce_url)

    order = shop.plan_indexes(commerce_url, "get", {"id": orders[1]})
    items = shop.plan_indexes(commerce_url, "list_items", {"order_id": orders[1]})
    benchmark.extra_info["indexes"] = {"get": order, "list_items": items}
    assert order == ["orders_pkey"]
    assert items == ["order_items_order_id_idx"]


@pytest.mark.benchmark(group="commerce")
def test_place_from_cart_with_five_lines(
    benchmark: BenchmarkFixture, cdb: Database, buyers: list[shop.Buyer], commerce_url: str
) -> None:
    rng = random.Random(13)
    turn = itertools.cycle(buyers)

    def fresh_cart() -> tuple[tuple[UUID, Checkout], dict[str, Any]]:
        buyer = next(turn)
        return (shop.fill_cart(cdb, buyer, shop.catalog_lines(rng, SIZE)), buyer.checkout()), {}

    def place(cart_id: UUID, checkout: Checkout) -> None:
        assert len(cdb.orders.place_from_cart(cart_id, checkout).items) == shop.LINES

    benchmark.pedantic(place, setup=fresh_cart, rounds=CHECKOUT_ROUNDS,
                       warmup_rounds=20)  # type: ignore[no-untyped-call]  # fmt: skip
    _median_within(benchmark, 20.0, commerce_url)


@pytest.mark.benchmark(group="commerce.throughput")
def test_checkout_throughput_with_eight_workers(
    benchmark: BenchmarkFixture, cdb: Database, buyers: list[shop.Buyer]
) -> None:
    rng = random.Random(14)
    rounds: list[dict[str, Any]] = []

    def carts() -> tuple[tuple[list[shop.Cart]], dict[str, Any]]:
        return (shop.fill_carts(cdb, buyers, rng, SIZE),), {}

    benchmark.pedantic(lambda filled: rounds.append(shop.check_out_at_once(cdb, filled, WORKERS)),
                       setup=carts, rounds=THROUGHPUT_ROUNDS)  # type: ignore[no-untyped-call]  # fmt: skip

    rates = sorted(r["orders_per_s"] for r in rounds)
    benchmark.extra_info["rounds"] = rounds
    benchmark.extra_info["median_orders_per_s"] = rates[len(rates) // 2]
    benchmark.extra_info["size"] = f"{SIZE.users} users, {SIZE.orders} orders, {SIZE.items} items"
    print(f"\ncheckout throughput, {WORKERS} workers: {rounds}")
    assert all(r["other"] == [] for r in rounds), rounds
    assert all(r["out of stock"] > 0 and r["placed"] > 0 for r in rounds), rounds
