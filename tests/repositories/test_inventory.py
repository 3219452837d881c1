"""InventoryRepository on a real PostgreSQL: counters, refusals, policies, and no oversell
under concurrency (threads on their own database, ``db``)."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from uuid import UUID, uuid4

import pytest

from shopdb import Database, Settings, Transaction
from shopdb.errors import (
    ConstraintViolation,
    DeadlockDetected,
    InvalidInput,
    NotFoundError,
    OutOfStockError,
    ReservationExceeded,
    StaleVersionError,
)
from shopdb.models import Actor, Inventory, InventoryPolicy
from shopdb.testing import with_settings
from tests.support.catalog import new_product, new_variant
from tests.support.factories import new_user


def variants(
    tx: Transaction, *stock: int, policy: InventoryPolicy = InventoryPolicy.TRACK
) -> list[UUID]:
    """A product with one variant per ``stock`` figure (units on hand); their ids, in order."""
    new = new_product(
        inventory_policy=policy,
        variants=[
            new_variant(is_primary=(n == 0), quantity_on_hand=units)
            for n, units in enumerate(stock)
        ],
    )
    made = {v.sku: v.id for v in tx.products.create_with_variants(new).variants}
    return [made[v.sku] for v in new.variants]


def counters(row: Inventory) -> tuple[int, int, int]:
    return (row.quantity_on_hand, row.quantity_reserved, row.quantity_available)


def test_get_and_get_for_variant(tx: Transaction) -> None:
    (variant,) = variants(tx, 5)
    row = tx.inventory.get_for_variant(variant)
    assert tx.inventory.get(row.id) == row
    assert counters(row) == (5, 0, 5)
    with pytest.raises(NotFoundError, match="inventory"):
        tx.inventory.get(uuid4())
    with pytest.raises(NotFoundError):
        tx.inventory.get_for_variant(uuid4())


def test_reserve_takes_units_until_none_are_left_then_names_the_variant(tx: Transaction) -> None:
    (variant,) = variants(tx, 3)
    assert counters(tx.inventory.reserve(variant, 2)) == (3, 2, 1)
    with pytest.raises(OutOfStockError) as caught:
        tx.inventory.reserve(variant, 2)
    assert (caught.value.variant_id, caught.value.requested, caught.value.available) == (
        variant,
        2,
        1,
    )
    assert str(variant) in str(caught.value) and "1 available" in str(caught.value)
    assert counters(tx.inventory.reserve(variant, 1)) == (3, 3, 0)
    with pytest.raises(NotFoundError):
        tx.inventory.reserve(uuid4(), 1)


@pytest.mark.parametrize("quantity", [0, -1, True, 1.5])
def test_a_quantity_below_one_or_not_whole_is_refused(tx: Transaction, quantity: object) -> None:
    (variant,) = variants(tx, 3)
    for method in (
        tx.inventory.reserve,
        tx.inventory.release,
        tx.inventory.commit,
        tx.inventory.restock,
    ):
        with pytest.raises(InvalidInput, match="at least 1"):
            method(variant, quantity)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        tx.inventory.reserve_many([(variant, quantity)])  # type: ignore[list-item]
    assert counters(tx.inventory.get_for_variant(variant)) == (3, 0, 3)


def test_release_and_commit_move_reserved_units(tx: Transaction) -> None:
    (variant,) = variants(tx, 10)
    tx.inventory.reserve(variant, 6)
    assert counters(tx.inventory.release(variant, 2)) == (10, 4, 6)
    assert counters(tx.inventory.commit(variant, 3)) == (7, 1, 6)
    with pytest.raises(ReservationExceeded) as caught:
        tx.inventory.commit(variant, 2)
    assert (caught.value.requested, caught.value.reserved) == (2, 1)
    with pytest.raises(ReservationExceeded):
        tx.inventory.release(variant, 5)
    assert counters(tx.inventory.get_for_variant(variant)) == (7, 1, 6)
    with pytest.raises(NotFoundError):
        tx.inventory.commit(uuid4(), 1)


def test_restock_adds_units_on_hand(tx: Transaction) -> None:
    (variant,) = variants(tx, 0)
    with pytest.raises(OutOfStockError):
        tx.inventory.reserve(variant, 1)
    assert counters(tx.inventory.restock(variant, 4)) == (4, 0, 4)
    with pytest.raises(NotFoundError):
        tx.inventory.restock(uuid4(), 1)


def adjust(tx: Transaction, variant: UUID, count: int, version: int, **audit: Any) -> Inventory:
    """A stock-take by the system with a plain reason, unless ``audit`` says otherwise."""
    how: dict[str, Any] = {"reason": "stock-take", "actor": Actor.system(), **audit}
    return tx.inventory.adjust(variant, count, expected_version=version, **how)


def test_every_change_bumps_the_version_so_adjust_sees_it(tx: Transaction) -> None:
    (variant,) = variants(tx, 10)
    read = tx.inventory.get_for_variant(variant)
    tx.inventory.reserve(variant, 1)
    with pytest.raises(StaleVersionError, match=f"version {read.version}"):
        adjust(tx, variant, 20, read.version)
    now = tx.inventory.get_for_variant(variant)
    adjusted = adjust(tx, variant, 20, now.version)
    assert counters(adjusted) == (20, 1, 19)
    assert adjusted.version == now.version + 1
    with pytest.raises(NotFoundError):
        adjust(tx, uuid4(), 1, 1)


def test_adjust_below_what_is_reserved_is_out_of_stock(tx: Transaction) -> None:
    (variant,) = variants(tx, 10)
    row = tx.inventory.reserve(variant, 4)
    with pytest.raises(OutOfStockError) as caught:
        adjust(tx, variant, 3, row.version)
    assert caught.value.constraint == "inventory_quantity_reserved_on_hand_check"
    with pytest.raises(InvalidInput):
        adjust(tx, variant, -1, row.version)
    assert counters(tx.inventory.get_for_variant(variant)) == (10, 4, 6)
    assert tx.audit.history("inventory", variant).items == []


def test_adjust_records_the_counts_and_the_reason_in_the_audit_log(tx: Transaction) -> None:
    (variant,) = variants(tx, 10)
    row = tx.inventory.reserve(variant, 2)
    admin = Actor.admin(tx.users.create(new_user()).id)
    adjusted = adjust(
        tx, variant, 7, row.version, reason="  3 broken in the warehouse ", actor=admin
    )
    assert counters(adjusted) == (7, 2, 5)
    (entry,) = tx.audit.history("inventory", variant).items
    assert (entry.action, entry.entity, entry.user_id, entry.actor_type) == (
        "adjust",
        "inventory",
        admin.user_id,
        "ADMIN",
    )
    assert entry.before == {
        "product_variant_id": str(variant),
        "quantity_on_hand": 10,
        "quantity_reserved": 2,
        "reason": None,
    }
    assert entry.after == {
        **entry.before,
        "quantity_on_hand": 7,
        "reason": "3 broken in the warehouse",
    }
    # A stock-take that confirms the count is a fact worth keeping too: it has its reason.
    adjust(tx, variant, 7, adjusted.version, reason="yearly count")
    latest = tx.audit.history("inventory", variant).items
    assert len(latest) == 2 and {e.after["reason"] for e in latest if e.after} == {
        "yearly count",
        "3 broken in the warehouse",
    }


@pytest.mark.parametrize("reason", ["", "   ", "\n\t", "x" * 501, "nul\x00", None, 42])
def test_an_adjustment_without_a_usable_reason_writes_nothing(
    tx: Transaction, reason: object
) -> None:
    (variant,) = variants(tx, 10)
    row = tx.inventory.get_for_variant(variant)
    with pytest.raises(InvalidInput, match="reason of 1 to 500 characters"):
        adjust(tx, variant, 3, row.version, reason=reason)
    assert tx.inventory.get_for_variant(variant) == row
    assert tx.audit.history("inventory", variant).items == []


def test_an_adjustment_whose_audit_entry_fails_is_undone(tx: Transaction) -> None:
    (variant,) = variants(tx, 10)
    row = tx.inventory.get_for_variant(variant)
    ghost = Actor.admin(uuid4())  # no such user: the audit row breaks audit_logs_user_id_fkey
    with pytest.raises(ConstraintViolation, match="acting user does not exist"):
        adjust(tx, variant, 3, row.version, actor=ghost)
    assert tx.inventory.get_for_variant(variant) == row
    assert tx.audit.history("inventory", variant).items == []


def test_reserve_many_is_all_or_nothing_and_names_the_short_variant(tx: Transaction) -> None:
    plenty, short, scarce = variants(tx, 5, 1, 1)
    with pytest.raises(OutOfStockError) as caught:
        tx.inventory.reserve_many([(plenty, 1), (short, 2)])
    assert (caught.value.variant_id, caught.value.available) == (short, 1)
    # Two short ones: the first in lock order (ascending variant id) is named.
    with pytest.raises(OutOfStockError) as caught:
        tx.inventory.reserve_many([(scarce, 2), (plenty, 1), (short, 2)])
    assert caught.value.variant_id == min(short, scarce)
    assert [tx.inventory.get_for_variant(v).quantity_reserved for v in (plenty, short)] == [0, 0]

    done = tx.inventory.reserve_many([(scarce, 1), (plenty, 2), (short, 1), (plenty, 1)])
    assert [row.product_variant_id for row in done] == sorted([plenty, short, scarce])
    reserved = {row.product_variant_id: row.quantity_reserved for row in done}
    assert reserved == {plenty: 3, short: 1, scarce: 1}


def test_reserve_many_is_two_statements_whatever_the_number_of_variants(
    shared_db: Database, tx: Transaction
) -> None:
    few, many = variants(tx, 3, 3), variants(tx, *[3] * 7)
    for wanted in (few, many):
        with shared_db.capture_queries() as ran:
            tx.inventory.reserve_many([(variant, 2) for variant in wanted])
        assert [r.name for r in ran] == ["inventory.lock_for_variants", "inventory.reserve_all"]
    assert {counters(tx.inventory.get_for_variant(v)) for v in few + many} == {(3, 2, 1)}


def test_reserve_many_refuses_nothing_and_unknown_variants(tx: Transaction) -> None:
    (variant,) = variants(tx, 5)
    with pytest.raises(InvalidInput, match="at least one"):
        tx.inventory.reserve_many([])
    missing = uuid4()
    with pytest.raises(NotFoundError) as caught:
        tx.inventory.reserve_many([(variant, 1), (missing, 1)])
    assert caught.value.key == missing
    assert tx.inventory.get_for_variant(variant).quantity_reserved == 0


def test_deny_refuses_like_track_and_continue_reserves_what_there_is(tx: Transaction) -> None:
    (deny,) = variants(tx, 1, policy=InventoryPolicy.DENY)
    with pytest.raises(OutOfStockError):
        tx.inventory.reserve(deny, 2)
    (keep_selling,) = variants(tx, 2, policy=InventoryPolicy.CONTINUE)
    assert counters(tx.inventory.reserve(keep_selling, 5)) == (2, 2, 0)
    assert counters(tx.inventory.reserve(keep_selling, 1)) == (2, 2, 0)
    assert counters(tx.inventory.reserve_many([(keep_selling, 3)])[0]) == (2, 2, 0)
    assert counters(tx.inventory.commit(keep_selling, 5)) == (0, 0, 0)
    assert counters(tx.inventory.release(keep_selling, 1)) == (0, 0, 0)


def test_low_stock_uses_the_threshold_given_or_each_rows_own(tx: Transaction) -> None:
    new = new_product(
        variants=[
            new_variant(is_primary=True, quantity_on_hand=2, low_stock_threshold=5),
            new_variant(quantity_on_hand=8, low_stock_threshold=5),
            new_variant(quantity_on_hand=0),
        ]
    )
    made = {v.sku: v.id for v in tx.products.create_with_variants(new).variants}
    low, plenty, empty = (made[v.sku] for v in new.variants)
    mine = {low, plenty, empty}

    def listed(threshold: int | None = None, limit: int = 100) -> list[UUID]:
        # The listing spans every inventory row: keep this test's, in the listing's order.
        rows = tx.inventory.low_stock(threshold, limit=limit)
        assert [r.quantity_available for r in rows] == sorted(r.quantity_available for r in rows)
        return [r.product_variant_id for r in rows if r.product_variant_id in mine]

    assert listed() == [empty, low]
    assert listed(8) == [empty, low, plenty]
    assert listed(-1) == []
    tx.inventory.reserve(plenty, 4)
    assert plenty in listed()
    assert len(tx.inventory.low_stock(8, limit=1)) == 1


# --- concurrency: committed rows, threads, each on its own pooled connection -------------------


@pytest.fixture
def busy_db(settings: Settings) -> Iterator[Database]:
    """The test's database with a pool big enough for the threads below."""
    with Database(
        with_settings(settings, database_pool_max=12, database_pool_timeout_ms=10_000)
    ) as database:
        yield database


def test_fifty_threads_reserving_the_last_ten_units_never_oversell(busy_db: Database) -> None:
    with busy_db.transaction() as tx:
        (variant,) = variants(tx, 10)
    start = threading.Barrier(50, timeout=30)

    def buy() -> bool:
        start.wait()
        try:
            busy_db.inventory.reserve(variant, 1)
        except OutOfStockError:
            return False
        return True

    with ThreadPoolExecutor(max_workers=50) as pool:
        outcomes = list(pool.map(lambda _: buy(), range(50)))
    assert outcomes.count(True) == 10 and outcomes.count(False) == 40
    assert counters(busy_db.inventory.get_for_variant(variant)) == (10, 10, 0)


def test_reserve_many_over_overlapping_variants_in_any_order_never_deadlocks(
    busy_db: Database,
) -> None:
    with busy_db.transaction() as tx:
        stock = variants(tx, *([100] * 6))
    carts = []
    for seed in range(24):
        order = random.Random(seed).sample(stock, k=4)
        carts.append([(variant, 1) for variant in order])
    start = threading.Barrier(len(carts), timeout=30)

    def checkout(cart: list[tuple[UUID, int]]) -> None:
        start.wait()
        busy_db.inventory.reserve_many(cart)

    with ThreadPoolExecutor(max_workers=len(carts)) as pool:
        failures = [f.exception() for f in [pool.submit(checkout, cart) for cart in carts]]
    assert [f for f in failures if f is not None] == []
    assert not any(isinstance(f, DeadlockDetected) for f in failures)
    reserved = sum(busy_db.inventory.get_for_variant(v).quantity_reserved for v in stock)
    assert reserved == 24 * 4
    for variant in stock:
        assert busy_db.inventory.get_for_variant(variant).quantity_reserved == sum(
            1 for cart in carts for line in cart if line[0] == variant
        )
