"""Shoppers for the commerce benchmarks, through the public API: buyers with an address,
carts filled with catalog variants (and scarce ones), 8 workers checking out at once, and the
server's weather and plans that the figures are read with."""

from __future__ import annotations

import json
import random
import statistics
import threading
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import psycopg

from benchmarks import commerce_rows as rows
from shopdb import Database, OutOfStockError
from shopdb.core.queries import load_queries
from shopdb.models import (
    CartLine,
    Checkout,
    NewAddress,
    NewProduct,
    NewUser,
    NewVariant,
    ProductStatus,
)

PASSWORD_HASH = "$2b$12$" + "b" * 53
LINES = 5
SCARCE_VARIANTS = 4
SCARCE_STOCK = 15
SCARCE_SHARE = 0.25

Cart = tuple[UUID, Checkout]


@dataclass(frozen=True, slots=True)
class Buyer:
    """A user of this run with an address, who can check out any number of carts."""

    user_id: UUID
    address_id: UUID

    def checkout(self) -> Checkout:
        return Checkout(
            shipping_address_id=self.address_id,
            billing_address_id=self.address_id,
            idempotency_key=f"bench-{uuid4().hex}",
            tax_rate=Decimal("0.18"),
        )


def make_buyers(db: Database, count: int) -> list[Buyer]:
    """``count`` new users with an address each (a run tag keeps their emails apart from those
    of earlier runs on the same data set)."""
    tag = uuid4().hex[:8]
    made = []
    for n in range(count):
        user = db.users.create(NewUser(email=f"buyer-{tag}-{n}@bench.example",
                                       password_hash=PASSWORD_HASH))  # fmt: skip
        address = db.addresses.create(
            user.id, NewAddress(full_name="Bench Buyer", line1="1 Main St", city="Ankara",
                                country="TR"),
        )  # fmt: skip
        made.append(Buyer(user.id, address.id))
    return made


def fill_cart(db: Database, buyer: Buyer, variants: list[UUID]) -> UUID:
    """The buyer's active cart with one unit of each variant."""
    cart = db.carts.get_or_create_active(user_id=buyer.user_id)
    for variant in variants:
        db.carts.add_item(cart.id, CartLine(product_variant_id=variant, quantity=1))
    return cart.id


def catalog_lines(rng: random.Random, size: rows.Size) -> list[UUID]:
    """LINES distinct variants of the generated catalog."""
    return [rows.variant_id(v) for v in rng.sample(range(size.variants), LINES)]


def scarce_variants(db: Database) -> list[UUID]:
    """SCARCE_VARIANTS new variants with SCARCE_STOCK units each."""
    tag = uuid4().hex[:8]
    made = []
    for n in range(SCARCE_VARIANTS):
        product = db.products.create_with_variants(
            NewProduct(
                title=f"Scarce {tag} {n}", slug=f"scarce-{tag}-{n}", status=ProductStatus.ACTIVE,
                price=Decimal("99.00"),
                variants=[NewVariant(title="Only", sku=f"SCARCE-{tag}-{n}", price=Decimal("99.00"),
                                     is_primary=True, quantity_on_hand=SCARCE_STOCK)],
            )
        )  # fmt: skip
        made.append(product.variants[0].id)
    return made


def fill_carts(
    db: Database, buyers: list[Buyer], rng: random.Random, size: rows.Size
) -> list[Cart]:
    """A cart for every buyer, a SCARCE_SHARE of them holding one of a few scarce variants."""
    scarce = scarce_variants(db)
    carts = []
    for buyer in buyers:
        lines = catalog_lines(rng, size)
        if rng.random() < SCARCE_SHARE:
            lines[0] = rng.choice(scarce)
        carts.append((fill_cart(db, buyer, lines), buyer.checkout()))
    return carts


def check_out_at_once(db: Database, carts: list[Cart], workers: int) -> dict[str, Any]:
    """``workers`` threads check out their share of the carts at once: the outcomes, the
    wall time and the orders placed per second."""
    outcomes: dict[str, Any] = {"placed": 0, "out of stock": 0, "other": []}
    lock, start = threading.Lock(), threading.Barrier(workers + 1)

    def work(share: list[Cart]) -> None:
        start.wait(timeout=60)
        for cart_id, checkout in share:
            try:
                db.orders.place_from_cart(cart_id, checkout)
                outcome = "placed"
            except OutOfStockError:
                outcome = "out of stock"
            except Exception as error:  # counted and shown, never expected
                with lock:
                    outcomes["other"].append(repr(error))
                continue
            with lock:
                outcomes[outcome] += 1

    threads = [threading.Thread(target=work, args=(carts[w::workers],)) for w in range(workers)]
    for thread in threads:
        thread.start()
    start.wait(timeout=60)
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    return {
        **outcomes,
        "seconds": round(wall, 2),
        "orders_per_s": round(outcomes["placed"] / wall, 1),
    }


def weather(url: str, calls: int = 200) -> dict[str, float]:
    """What the server costs right now, outside shopdb: the median round trip of SELECT 1 and
    of a one-row write with its COMMIT (the WAL flush), in ms. The checkout is about 16 round
    trips and one COMMIT, so these say how much of its figure is this machine's load."""
    with psycopg.connect(url, autocommit=True) as conn:
        # A logged table (a temporary one's COMMIT does not wait for the WAL flush).
        conn.execute("CREATE TABLE IF NOT EXISTS bench_weather (n integer)")
        trips, writes = [], []
        for _ in range(calls):
            began = time.perf_counter()
            conn.execute("SELECT 1")
            trips.append(time.perf_counter() - began)
            began = time.perf_counter()
            conn.execute("INSERT INTO bench_weather VALUES (1)")
            writes.append(time.perf_counter() - began)
        conn.execute("DROP TABLE bench_weather")
    return {
        "select_1_ms": round(statistics.median(trips) * 1000, 3),
        "write_commit_ms": round(statistics.median(writes) * 1000, 3),
    }


def plan_indexes(url: str, name: str, params: dict[str, Any]) -> list[str]:
    """The indexes EXPLAIN shows for orders.<name> with these parameters (and no sequential
    scan anywhere in the plan)."""
    query = load_queries()["orders"][name]
    with psycopg.connect(url) as conn:
        row = conn.execute("EXPLAIN (FORMAT JSON) " + query.sql, params).fetchone()
    assert row is not None
    plan = row[0] if isinstance(row[0], list) else json.loads(row[0])
    nodes, found = [plan[0]["Plan"]], []
    while nodes:
        node = nodes.pop()
        assert node["Node Type"] != "Seq Scan", node.get("Relation Name")
        if "Index Name" in node:
            found.append(node["Index Name"])
        nodes.extend(node.get("Plans", []))
    return found
