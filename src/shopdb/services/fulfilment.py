"""FulfilmentService: an order's status change and the stock that moves with it."""

from __future__ import annotations

from uuid import UUID

from shopdb.core.unit import unit_of_work
from shopdb.models.orders import Order, OrderStatus
from shopdb.services.base import Service


class FulfilmentService(Service):
    """Status changes of orders. Fulfilling turns the order's reservation into a sale and
    cancelling (only before fulfilment: nothing was sold yet) releases it, in the same
    transaction. Locks: the order row, then the inventory rows by variant id."""

    @unit_of_work
    def change_status(
        self, order_id: UUID, new_status: OrderStatus, expected_version: int
    ) -> Order:
        """Move the order along the state machine, stamping the matching time; any other
        change raises IllegalStatusTransition, a stale version StaleVersionError."""
        tx = self._tx
        changed = tx.orders.set_status(order_id, new_status, expected_version=expected_version)
        if changed.status in (OrderStatus.FULFILLED, OrderStatus.CANCELLED):
            moves = [
                (item.product_variant_id, item.quantity)
                for item in tx.orders.list_items(order_id)
                if item.product_variant_id is not None  # the variant was deleted since
            ]
            if moves and changed.status is OrderStatus.FULFILLED:
                tx.inventory.commit_many(moves)
            elif moves:
                tx.inventory.release_many(moves)
        return changed
