"""InventoryRepository: stock that never oversells, over sql/inventory.sql.

A reservation is one UPDATE guarded by ``quantity_available >= quantity``: the row lock it
takes serializes concurrent reservations of a variant, and a reservation that finds too few
units changes nothing and raises OutOfStockError naming the variant and what was available.
The product's inventory_policy is honoured: TRACK and DENY refuse, CONTINUE never refuses and
reserves (releases, sells) what the counters allow, since reserved <= on hand always holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from uuid import UUID

from shopdb.core import checks
from shopdb.core.errors import DomainError, InvalidInput
from shopdb.core.unit_async import in_transaction, unit_of_work
from shopdb.models.audit import Actor
from shopdb.models.inventory import (
    Inventory,
    LockedInventory,
    OutOfStockError,
    ReservationExceeded,
    ReservationState,
    ReservedRows,
    StockCount,
    StockReservation,
)
from shopdb.models.products import InventoryPolicy
from shopdb.repositories.base_async import AsyncShopRepository

_REFUSING = frozenset({InventoryPolicy.TRACK, InventoryPolicy.DENY})
MAX_REASON = 500
MAX_STOCK = 2_000_000_000
"""The largest count on hand (an int4 column, the bound of products.Quantity)."""


def _positive(quantity: int) -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise InvalidInput(f"a quantity is a whole number of at least 1, not {quantity!r}")
    return quantity


def _reason(reason: str) -> str:
    """The reason of an adjustment as audited: 1 to 500 characters once trimmed, no NUL."""
    text = reason.strip() if isinstance(reason, str) else ""
    if not 1 <= len(text) <= MAX_REASON or "\x00" in text:
        raise InvalidInput(f"an adjustment needs a reason of 1 to {MAX_REASON} characters")
    return text


def _merged(items: Iterable[tuple[UUID, int]]) -> dict[UUID, int]:
    """The items as variant -> total quantity, in ascending variant id (the lock order)."""
    totals: dict[UUID, int] = {}
    for variant_id, quantity in items:
        totals[variant_id] = totals.get(variant_id, 0) + _positive(quantity)
    if not totals:
        raise InvalidInput("give at least one (variant_id, quantity)")
    return dict(sorted(totals.items()))


class AsyncInventoryRepository(AsyncShopRepository):
    """Stock counters per variant: on hand, reserved, available = on hand - reserved, and
    what each order reserved (stock_reservations). Locks: inventory rows FOR UPDATE, several
    at once in ascending variant id."""

    namespace = "inventory"
    entity = "inventory"
    tables = ("inventory", "stock_reservations")
    locks = {
        "lock_for_variants": LockedInventory,
        "lock_for_adjust": Inventory,
    }
    queries = {
        "create": Inventory,
        "get": Inventory,
        "get_for_variant": Inventory,
        "reserve": Inventory,
        "reserve_all": ReservedRows,
        "release": Inventory,
        "release_all": ReservedRows,
        "commit": Inventory,
        "commit_all": ReservedRows,
        "restock": Inventory,
        "adjust": Inventory,
        "low_stock": Inventory,
        "reserve_for_order": ReservedRows,
        "reservations_of": StockReservation,
        "settle_reservations": None,
    }
    constraint_messages = {
        "inventory_quantity_reserved_on_hand_check": (
            "the change would reserve more than is on hand (available would drop below zero)"
        ),
        "inventory_quantity_on_hand_check": "the change would take stock on hand below zero",
        "inventory_quantity_reserved_check": "more units would be released than are reserved",
        "inventory_low_stock_threshold_check": "a low-stock threshold cannot be negative",
        "inventory_product_variant_id_key": "this variant has an inventory row already",
        "inventory_product_variant_id_fkey": "the inventory's variant does not exist",
        "inventory_version_check": "a version starts at 1",
        "stock_reservations_order_id_product_variant_id_key": (
            "the order has a reservation of this variant already"
        ),
    }
    constraint_errors = {
        "inventory_quantity_reserved_on_hand_check": OutOfStockError,
        "inventory_quantity_on_hand_check": OutOfStockError,
        "inventory_quantity_reserved_check": ReservationExceeded,
    }

    async def create(
        self, variant_id: UUID, *, quantity_on_hand: int = 0, low_stock_threshold: int = 0
    ) -> Inventory:
        """The inventory row of a new variant (products.add_variant makes it)."""
        return await self._get(
            "create", Inventory, variant_id=variant_id, quantity_on_hand=quantity_on_hand,
            low_stock_threshold=low_stock_threshold,
        )  # fmt: skip

    async def get(self, inventory_id: UUID) -> Inventory:
        """The inventory row with this id; NotFoundError otherwise."""
        return await self._get("get", Inventory, id=inventory_id)

    async def get_for_variant(self, variant_id: UUID) -> Inventory:
        """The inventory row of a variant; NotFoundError when it has none."""
        return await self._get("get_for_variant", Inventory, variant_id=variant_id)

    @in_transaction
    async def reserve(self, variant_id: UUID, quantity: int) -> Inventory:
        """Reserve ``quantity`` units; OutOfStockError (naming the variant and what was
        available) when fewer are available and the policy refuses. One row lock."""
        found = await self._find(
            "reserve", Inventory, variant_id=variant_id, quantity=_positive(quantity)
        )
        if found is None:
            stock = await self.get_for_variant(variant_id)
            raise OutOfStockError.for_variant(variant_id, quantity, stock.quantity_available)
        return found

    @in_transaction
    async def reserve_many(self, items: Iterable[tuple[UUID, int]]) -> list[Inventory]:
        """Reserve every (variant_id, quantity) or none (quantities of a repeated variant add
        up); the rows come back in ascending variant id. Locks the inventory rows FOR UPDATE
        in ascending variant id first, so two carts over the same variants cannot deadlock;
        OutOfStockError names the first variant (in that order) that is short; NotFoundError
        a variant without inventory. Two statements whatever the number of variants."""
        return await self._move_many("reserve_all", _merged(items))

    @in_transaction
    async def reserve_for_order(
        self, order_id: UUID, items: Iterable[tuple[UUID, int]]
    ) -> dict[UUID, int]:
        """``reserve_many`` for an order, recording in the same statement the units it
        reserved of each variant (stock_reservations): the quantity asked, or under CONTINUE
        what was available; answers them by variant (ascending variant id). Locks as
        ``reserve_many``."""
        before, after = await self._locked_and_moved("reserve_for_order", _merged(items), order_id)
        moved = {row.product_variant_id: row.quantity_reserved for row in after}
        return {v: moved[v] - row.quantity_reserved for v, row in before.items()}

    async def reservations_of(self, order_ids: list[UUID]) -> list[StockReservation]:
        """The reservations of these orders in any state, by order and variant."""
        return await self._list("reservations_of", StockReservation, order_ids=order_ids)

    async def release_for_orders(self, order_ids: list[UUID]) -> set[UUID]:
        """Give back exactly the units these orders reserved, whatever the policy is now;
        answers the orders that have reservations (the others were placed before them).
        Locks the inventory rows of their live reservations in ascending variant id."""
        return await self._settle_reservations(order_ids, ReservationState.RELEASED)

    async def sell_for_orders(self, order_ids: list[UUID]) -> set[UUID]:
        """Sell exactly the units these orders reserved (on hand and reserved drop by
        them), as ``release_for_orders``."""
        return await self._settle_reservations(order_ids, ReservationState.SOLD)

    async def release(self, variant_id: UUID, quantity: int) -> Inventory:
        """Give back ``quantity`` reserved units; ReservationExceeded when fewer are reserved
        (CONTINUE: releases what is reserved). One row lock."""
        return await self._unreserve("release", variant_id, quantity)

    @in_transaction
    async def release_many(self, items: Iterable[tuple[UUID, int]]) -> list[Inventory]:
        """Give back the reserved units of several variants, all or none, in two statements
        (the rows locked in ascending variant id, then one UPDATE); ReservationExceeded names
        the first variant with fewer reserved (CONTINUE: releases what is reserved)."""
        return await self._move_many("release_all", _merged(items))

    async def commit(self, variant_id: UUID, quantity: int) -> Inventory:
        """Turn ``quantity`` reserved units into a sale (on hand and reserved both drop);
        ReservationExceeded when fewer are reserved (CONTINUE: sells what is). One row lock."""
        return await self._unreserve("commit", variant_id, quantity)

    @in_transaction
    async def commit_many(self, items: Iterable[tuple[UUID, int]]) -> list[Inventory]:
        """Sell the reserved units of several variants, all or none, in two statements (as
        release_many); ReservationExceeded names the first variant with fewer reserved."""
        return await self._move_many("commit_all", _merged(items))

    async def restock(self, variant_id: UUID, quantity: int) -> Inventory:
        """Add ``quantity`` units on hand; NotFoundError when the variant has no inventory."""
        return await self._get(
            "restock", Inventory, variant_id=variant_id, quantity=_positive(quantity)
        )

    @unit_of_work
    async def adjust(
        self,
        variant_id: UUID,
        quantity_on_hand: int,
        *,
        expected_version: int,
        reason: str,
        actor: Actor,
    ) -> Inventory:
        """Set the count on hand (a stock-take) if the row is still at ``expected_version``,
        audited (``inventory``/``adjust``, entity id the variant id; before and after as
        StockCount, the reason in after) in the same unit of work: both or neither. Locks
        the row FOR UPDATE first. InvalidInput for an empty reason or a negative count (nothing
        written); StaleVersionError when any change came between; OutOfStockError when the
        count is below what is reserved; NotFoundError when the variant has no inventory."""
        checks.whole("quantity_on_hand", quantity_on_hand, 0, MAX_STOCK)
        why = _reason(reason)
        before = await self._lock("lock_for_adjust", Inventory, variant_id=variant_id)
        after = await self._update_versioned(
            "adjust", Inventory, expected_version=expected_version, variant_id=variant_id,
            quantity_on_hand=quantity_on_hand,
        )  # fmt: skip
        counts = StockCount.of(before), StockCount.of(after, why)
        return await self._audited(actor, "adjust", variant_id, *counts, result=after)

    async def low_stock(self, threshold: int | None = None, *, limit: int = 100) -> list[Inventory]:
        """Rows with at most ``threshold`` available (each row's own low_stock_threshold when
        None), fewest first."""
        return await self._list(
            "low_stock", Inventory, threshold=threshold, limit=self._page_size(limit)
        )

    async def _unreserve(self, name: str, variant_id: UUID, quantity: int) -> Inventory:
        found = await self._find(
            name, Inventory, variant_id=variant_id, quantity=_positive(quantity)
        )
        if found is None:
            stock = await self.get_for_variant(variant_id)
            raise ReservationExceeded.for_variant(variant_id, quantity, stock.quantity_reserved)
        return found

    @in_transaction
    async def _settle_reservations(
        self, order_ids: list[UUID], state: ReservationState
    ) -> set[UUID]:
        held = await self.reservations_of(order_ids)
        live = sorted({r.product_variant_id for r in held if r.state is ReservationState.RESERVED})
        if live:
            await self._lock_each("lock_for_variants", LockedInventory, variant_ids=live)
            await self._count("settle_reservations", order_ids=order_ids, state=state)
        return {r.order_id for r in held}

    async def _move_many(self, statement: str, wanted: dict[UUID, int]) -> list[Inventory]:
        return (await self._locked_and_moved(statement, wanted))[1]

    async def _locked_and_moved(
        self, statement: str, wanted: dict[UUID, int], order_id: UUID | None = None
    ) -> tuple[dict[UUID, LockedInventory], list[Inventory]]:
        """Lock the rows of ``wanted`` (ascending variant id), refuse the first that cannot
        move (a refusing policy and too few units), then move them all with ``statement``,
        one UPDATE over unnest (``order_id``: the order it reserves for); the rows as locked
        (before) and as moved (after)."""
        counter, refused = _MOVES[statement]
        locked = await self._lock_each(
            "lock_for_variants", LockedInventory, variant_ids=list(wanted)
        )
        rows = {row.product_variant_id: row for row in locked}
        for variant_id, quantity in wanted.items():
            row = rows.get(variant_id)
            if row is None:
                await self.get_for_variant(variant_id)  # NotFoundError naming the variant
            elif row.inventory_policy in _REFUSING and getattr(row, counter) < quantity:
                raise refused(variant_id, quantity, getattr(row, counter))
        params: dict[str, object] = {
            "variant_ids": list(wanted),
            "quantities": list(wanted.values()),
        }
        if order_id is not None:
            params["order_id"] = order_id
        moved = (await self._get(statement, ReservedRows, **params)).rows
        done = {row.product_variant_id for row in moved}
        for variant_id, quantity in wanted.items():
            if variant_id not in done:  # its policy changed to a refusing one since
                raise refused(variant_id, quantity, getattr(rows[variant_id], counter))
        await self._tx.events.record_low_stock(rows.values(), moved)
        return rows, moved


_MOVES: dict[str, tuple[str, Callable[[UUID, int, int], DomainError]]] = {
    "reserve_all": ("quantity_available", OutOfStockError.for_variant),
    "reserve_for_order": ("quantity_available", OutOfStockError.for_variant),
    "release_all": ("quantity_reserved", ReservationExceeded.for_variant),
    "commit_all": ("quantity_reserved", ReservationExceeded.for_variant),
}
"""Each many-row move: the counter that limits it and the error of a variant it refuses."""
