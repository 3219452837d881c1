"""OrderRepository: checkout from a cart, reads with items, the state machine, figures."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from shopdb.core.errors import InvalidInput, StaleVersionError
from shopdb.core.paging import NEWEST_FIRST, CursorPage
from shopdb.core.unit_async import in_transaction
from shopdb.models.audit import Actor
from shopdb.models.audited import OrderStatusChange
from shopdb.models.orders import (
    TRANSITIONS,
    Checkout,
    DayFigures,
    IdempotencyKeyReused,
    IllegalStatusTransition,
    NewOrder,
    Order,
    OrderItem,
    OrderKey,
    OrderStatus,
    OrderWithItems,
    StatusFigures,
)
from shopdb.models.users import ERASED_OWNER, UserErased
from shopdb.repositories.base_async import AsyncShopRepository


class AsyncOrderRepository(AsyncShopRepository):
    """Orders: written from a checkout, read with their items, moved through the state
    machine, summed for the back office. Placing one and the stock that moves with a status
    change are flows of services (``db.checkout``, ``db.fulfilment``); the methods of the
    same name here run them. Locks: the order row FOR NO KEY UPDATE."""

    namespace = "orders"
    entity = "order"
    tables = ("orders", "order_items")
    locks = {"lock_for_status_change": Order, "lock_unpaid": OrderKey}
    queries = {
        "find_by_idempotency_key": OrderKey,
        "create": Order,
        "get": Order,
        "get_by_reference": Order,
        "list_items": OrderItem,
        "list_items_of_orders": OrderItem,
        "list_for_user": Order,
        "list_for_user_by_status": Order,
        "list_by_status": Order,
        "change_status": Order,
        "cancel_unpaid": None,
        "statistics_by_status": StatusFigures,
        "statistics_by_day": DayFigures,
        "erase_snapshots_for_user": None,
    }
    constraint_messages = {
        "orders_reference_key": "an order with this reference exists",
        "orders_cart_id_key": "this cart was already checked out into an order",
        "orders_total_amount_sum_check": "total must equal subtotal + tax - discount",
        "orders_owner_not_erased_check": ERASED_OWNER,
    }
    constraint_errors = {
        "orders_idempotency_key_key": IdempotencyKeyReused,
        "orders_status_transition_check": IllegalStatusTransition,
        "orders_owner_not_erased_check": UserErased,
    }

    async def place_from_cart(
        self, cart_id: UUID, checkout: Checkout | None = None, **fields: Any
    ) -> OrderWithItems:
        """``db.checkout.place_from_cart``: turn an active cart into a PENDING order."""
        return await self._unit.checkout.place_from_cart(cart_id, checkout, **fields)

    async def change_status(
        self,
        order_id: UUID,
        new_status: OrderStatus,
        expected_version: int,
        *,
        actor: Actor | None = None,
    ) -> Order:
        """``db.fulfilment.change_status``: a status change with the stock it moves, audited."""
        return await self._unit.fulfilment.change_status(
            order_id, new_status, expected_version, actor=actor
        )

    async def expire_unpaid(
        self, older_than: timedelta, *, batch_size: int = 100, actor: Actor | None = None
    ) -> int:
        """``db.fulfilment.expire_unpaid``: cancel PENDING orders older than ``older_than``
        and release their stock, in batches, each audited; how many were cancelled."""
        return await self._unit.fulfilment.expire_unpaid(
            older_than, batch_size=batch_size, actor=actor
        )

    @in_transaction
    async def lock_unpaid(self, older_than: timedelta, *, batch_size: int) -> list[UUID]:
        """Lock up to ``batch_size`` PENDING orders placed before ``older_than`` ago, oldest
        first, skipping those locked elsewhere (FOR NO KEY UPDATE SKIP LOCKED); their ids."""
        if not 1 <= batch_size <= self.max_batch_size:
            raise InvalidInput(f"a batch size is from 1 to {self.max_batch_size}")
        seconds = older_than.total_seconds()
        rows = await self._lock_each(
            "lock_unpaid", OrderKey, idle_seconds=seconds, batch_size=batch_size
        )
        return [row.id for row in rows]

    async def cancel_unpaid(self, order_ids: list[UUID]) -> int:
        """Cancel the PENDING orders of an expiry batch (locked by ``lock_unpaid``); no
        stock moves here: that is ``db.fulfilment``'s. How many were cancelled."""
        return await self._count("cancel_unpaid", ids=order_ids)

    async def find_by_idempotency_key(self, idempotency_key: str | UUID) -> OrderKey | None:
        """The order a checkout with this key placed (its id and cart), or None."""
        return await self._find(
            "find_by_idempotency_key", OrderKey, idempotency_key=str(idempotency_key)
        )

    async def create(self, new: NewOrder) -> Order | None:
        """Write a PENDING order and its items from the cart's lines (address snapshots, a
        reference of its own); None when an address is not a live address of its user."""
        return await self._find("create", Order, **new.model_dump())

    async def get(self, order_id: UUID) -> OrderWithItems:
        """The order and its items (two queries); NotFoundError when there is none."""
        order = await self._get("get", Order, id=order_id)
        return OrderWithItems(order=order, items=await self.list_items(order_id))

    async def get_by_reference(self, reference: str) -> Order:
        """The order with this reference (any letter case); NotFoundError otherwise."""
        return await self._get("get_by_reference", Order, reference=reference)

    async def list_items(self, order_id: UUID) -> list[OrderItem]:
        """The items of one order in the order they were written."""
        return await self._list("list_items", OrderItem, order_id=order_id)

    async def items_of(self, order_ids: list[UUID]) -> dict[UUID, list[OrderItem]]:
        """The items of several orders in one query, by order id."""
        found: dict[UUID, list[OrderItem]] = {order_id: [] for order_id in order_ids}
        for item in await self._list("list_items_of_orders", OrderItem, order_ids=order_ids):
            found[item.order_id].append(item)
        return found

    async def list_for_user(
        self,
        user_id: UUID,
        *,
        status: OrderStatus | None = None,
        limit: int = 20,
        cursor: str | None = None,
    ) -> CursorPage[Order]:
        """A user's orders, newest first, optionally in one status (keyset pages)."""
        if status is None:
            return await self._page(
                "list_for_user", Order, NEWEST_FIRST, limit=limit, cursor=cursor, user_id=user_id
            )
        return await self._page(
            "list_for_user_by_status",
            Order,
            NEWEST_FIRST,
            limit=limit,
            cursor=cursor,
            user_id=user_id,
            status=status,
        )

    async def list_by_status(
        self, status: OrderStatus, *, limit: int = 50, cursor: str | None = None
    ) -> CursorPage[Order]:
        """Every order in one status, newest first, for the back office (keyset pages)."""
        return await self._page(
            "list_by_status", Order, NEWEST_FIRST, limit=limit, cursor=cursor, status=status
        )

    @in_transaction
    async def set_status(
        self,
        order_id: UUID,
        new_status: OrderStatus,
        *,
        expected_version: int | None = None,
        actor: Actor | None = None,
    ) -> Order:
        """The order's own step of a status change: lock the row, refuse a step the state
        machine (TRANSITIONS) does not allow (IllegalStatusTransition) or a version that moved
        (StaleVersionError; None: whatever version it is at), stamp the matching time and
        bump the version, audited (``orders``/``change_status``, OrderStatusChange; None: the
        SYSTEM actor) in the same transaction. No stock moves here: that is ``db.fulfilment``'s."""
        if new_status not in OrderStatus.__members__.values():
            raise InvalidInput(f"a new status is one of {', '.join(OrderStatus)}")
        status = OrderStatus(new_status)
        current = await self._lock("lock_for_status_change", Order, id=order_id)
        if expected_version is not None and current.version != expected_version:
            raise StaleVersionError(self.entity, order_id, expected_version)
        if status not in TRANSITIONS[current.status]:
            raise IllegalStatusTransition(
                f"order {order_id}: {current.status} -> {status} "
                "is not a step of the order state machine"
            )
        after = await self._update_versioned(
            "change_status", Order, expected_version=current.version, id=order_id, status=status
        )
        await self._tx.events.record_order_status(after)
        before, moved = OrderStatusChange.of(current), OrderStatusChange.of(after)
        return await self._audited(actor or Actor.system(), "change_status", order_id, before,
                                   moved, result=after)  # fmt: skip

    async def mark_paid(self, order_id: UUID, *, actor: Actor | None = None) -> Order:
        """PENDING -> PAID at whatever version the order is at (the order's step of a
        payment's settlement), audited; IllegalStatusTransition unless PENDING; NotFoundError."""
        return await self.set_status(order_id, OrderStatus.PAID, actor=actor)

    async def erase_snapshots_for_user(self, user_id: UUID) -> int:
        """The orders' step of an erasure (``db.erasure.erase``): the name, phone, label,
        lines, state and postal code of every shipping and billing snapshot of the user's
        orders replaced ('[erased]' or null) and their notes cleared; city, country, totals
        and items untouched. How many orders."""
        return await self._count("erase_snapshots_for_user", user_id=user_id)

    async def statistics_by_status(self, start: datetime, end: datetime) -> list[StatusFigures]:
        """Count and revenue per status of the orders placed in [start, end), one query."""
        return await self._list("statistics_by_status", StatusFigures, from_time=start, to_time=end)

    async def statistics_by_day(self, start: datetime, end: datetime) -> list[DayFigures]:
        """Count and revenue per UTC day of the orders placed in [start, end), one query."""
        return await self._list("statistics_by_day", DayFigures, from_time=start, to_time=end)
