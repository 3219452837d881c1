"""A customer's orders: the owner-bound queries, their checkout and the view's methods."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from shopdb.core.errors import NotFoundError
from shopdb.core.paging import CursorPage
from shopdb.core.unit_async import unit_of_work
from shopdb.customers.base_async import AsyncCustomerRepository
from shopdb.models.orders import (
    Checkout,
    Order,
    OrderItem,
    OrderKey,
    OrderStatus,
    OrderWithItems,
)
from shopdb.repositories.orders_async import AsyncOrderRepository

if TYPE_CHECKING:
    from shopdb.components_async import AsyncComponents


class AsyncCustomerOrderRepository(AsyncCustomerRepository):
    """Orders by id, reference or idempotency key, bound to their owner
    (sql/customer_orders.sql), and the checkout of the owner's own cart."""

    namespace = "customer_orders"
    entity = "order"
    aggregate = AsyncOrderRepository
    queries = {
        "get": Order,
        "get_by_reference": Order,
        "list_items": OrderItem,
        "find_by_idempotency_key": OrderKey,
    }

    @unit_of_work
    async def place_from_cart(
        self, /, cart_id: UUID, checkout: Checkout | None = None, *, user_id: UUID, **fields: Any
    ) -> OrderWithItems:
        """``db.checkout.place_from_cart`` of the user's own cart: NotFoundError for a cart
        that is not theirs (a guest's, another user's; nothing written). The addresses are
        held to the cart's user by the checkout (``orders.create``: CheckoutRefused, as for
        an address that does not exist) and by the schema (orders_*_user_id_fkey).
        Locks: the cart row (held on by the checkout), then the checkout's."""
        cart = await self._tx.carts.lock_for_checkout(cart_id)
        if cart.user_id != user_id:
            raise NotFoundError("cart", cart_id)
        return await self._tx.checkout.place_from_cart(cart_id, checkout, **fields)

    async def get(self, order_id: UUID, *, user_id: UUID) -> OrderWithItems:
        """The user's order and its items (two queries); NotFoundError otherwise."""
        order = await self._get("get", Order, id=order_id, user_id=user_id)
        return OrderWithItems(order=order, items=await self.list_items(order_id, user_id=user_id))

    async def get_by_reference(self, reference: str, *, user_id: UUID) -> Order:
        """The user's order with this reference (any letter case); NotFoundError otherwise."""
        return await self._get("get_by_reference", Order, reference=reference, user_id=user_id)

    async def list_items(self, order_id: UUID, *, user_id: UUID) -> list[OrderItem]:
        """The items of the user's order (none for an order that is not theirs)."""
        return await self._list("list_items", OrderItem, order_id=order_id, user_id=user_id)

    async def find_by_idempotency_key(
        self, idempotency_key: str | UUID, *, user_id: UUID
    ) -> OrderKey | None:
        """The user's order a checkout with this key placed, or None (another user's too)."""
        key = str(idempotency_key)
        return await self._find(
            "find_by_idempotency_key", OrderKey, idempotency_key=key, user_id=user_id
        )


class AsyncCustomerOrders:
    """``db.customer(user_id).orders``: the customer's orders and checkout."""

    def __init__(self, unit: AsyncComponents, user_id: UUID) -> None:
        self._unit = unit
        self._user_id = user_id
        self._own = unit.repository(AsyncCustomerOrderRepository)

    async def place_from_cart(
        self, cart_id: UUID, checkout: Checkout | None = None, **fields: Any
    ) -> OrderWithItems:
        """Turn the customer's active cart into a PENDING order (``db.checkout``)."""
        return await self._own.place_from_cart(cart_id, checkout, user_id=self._user_id, **fields)

    async def get(self, order_id: UUID) -> OrderWithItems:
        """The customer's order and its items; NotFoundError otherwise."""
        return await self._own.get(order_id, user_id=self._user_id)

    async def get_by_reference(self, reference: str) -> Order:
        """The customer's order with this reference; NotFoundError otherwise."""
        return await self._own.get_by_reference(reference, user_id=self._user_id)

    async def list_items(self, order_id: UUID) -> list[OrderItem]:
        """The items of the customer's order."""
        return await self._own.list_items(order_id, user_id=self._user_id)

    async def find_by_idempotency_key(self, idempotency_key: str | UUID) -> OrderKey | None:
        """The customer's order a checkout with this key placed, or None."""
        return await self._own.find_by_idempotency_key(idempotency_key, user_id=self._user_id)

    async def list_for_user(
        self, *, status: OrderStatus | None = None, limit: int = 20, cursor: str | None = None
    ) -> CursorPage[Order]:
        """The customer's orders, newest first, optionally in one status (keyset pages)."""
        return await self._unit.orders.list_for_user(
            self._user_id, status=status, limit=limit, cursor=cursor
        )
