"""FulfilmentService: an order's status change and the stock that moves with it."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from shopdb.core.unit_async import unit_of_work
from shopdb.models.audit import Actor
from shopdb.models.audited import OrderStatusOnly
from shopdb.models.orders import Order, OrderStatus
from shopdb.services.base_async import AsyncService

PENDING, CANCELLED = (
    OrderStatusOnly(status=OrderStatus.PENDING),
    OrderStatusOnly(status=OrderStatus.CANCELLED),
)


class AsyncFulfilmentService(AsyncService):
    """Status changes of orders. Fulfilling sells exactly the units the order reserved and
    cancelling (only before fulfilment: nothing was sold yet) releases exactly them, in the
    same transaction, whatever the variant's inventory policy is now. Locks: the order row,
    then the inventory rows by variant id."""

    @unit_of_work
    async def change_status(
        self,
        order_id: UUID,
        new_status: OrderStatus,
        expected_version: int,
        *,
        actor: Actor | None = None,
    ) -> Order:
        """Move the order along the state machine, stamping the matching time, audited
        (``orders``/``change_status``; None: the SYSTEM actor); any other change raises
        IllegalStatusTransition, a stale version StaleVersionError."""
        changed = await self._tx.orders.set_status(
            order_id, new_status, expected_version=expected_version, actor=actor
        )
        if changed.status in (OrderStatus.FULFILLED, OrderStatus.CANCELLED):
            await self._move_stock([order_id], sell=changed.status is OrderStatus.FULFILLED)
        return changed

    async def expire_unpaid(
        self, older_than: timedelta, *, batch_size: int = 100, actor: Actor | None = None
    ) -> int:
        """Cancel the PENDING orders placed more than ``older_than`` ago and release their
        stock, ``batch_size`` orders per transaction (each its own unit of work; orders that
        another transaction holds are skipped, so two workers never take the same one),
        each expired order audited (``orders``/``expire``, OrderStatusOnly PENDING then
        CANCELLED; None: the SYSTEM actor) in its batch's transaction; how many were
        cancelled in all."""
        total = 0
        while expired := await self._expire_batch(older_than, batch_size, actor or Actor.system()):
            total += expired
            if expired < batch_size:
                break
        return total

    @unit_of_work
    async def _expire_batch(self, older_than: timedelta, batch_size: int, actor: Actor) -> int:
        """One batch: lock the oldest unpaid orders (SKIP LOCKED), cancel them, release
        their reservations, audit each. Locks: the order rows, then the inventory rows by
        variant id."""
        tx = self._tx
        order_ids = await tx.orders.lock_unpaid(older_than, batch_size=batch_size)
        if order_ids:
            await tx.orders.cancel_unpaid(order_ids)
            await tx.events.record_orders_changed(order_ids)
            await self._move_stock(order_ids, sell=False)
            await tx.audit.record_each(actor, "expire", "orders", order_ids, PENDING, CANCELLED)
        return len(order_ids)

    async def _move_stock(self, order_ids: list[UUID], *, sell: bool) -> None:
        """Sell or release what the orders reserved (stock_reservations). Orders placed before
        reservations were recorded (migration 0042) move their items' quantities as before."""
        inventory = self._tx.inventory
        recorded = (
            await inventory.sell_for_orders(order_ids)
            if sell
            else await inventory.release_for_orders(order_ids)
        )
        earlier = [order_id for order_id in order_ids if order_id not in recorded]
        moves = [
            (item.product_variant_id, item.quantity)
            for items in ((await self._tx.orders.items_of(earlier)).values() if earlier else ())
            for item in items
            if item.product_variant_id is not None  # the variant was deleted since
        ]
        if moves and sell:
            await inventory.commit_many(moves)
        elif moves:
            await inventory.release_many(moves)
