"""A customer's orders: the owner-bound queries, their checkout and the view's methods."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from shopdb.core.errors import NotFoundError
from shopdb.core.paging import CursorPage
from shopdb.core.unit import unit_of_work
from shopdb.customers.base import CustomerRepository
from shopdb.models.orders import (
    Checkout,
    Order,
    OrderItem,
    OrderKey,
    OrderStatus,
    OrderWithItems,
)
from shopdb.repositories.orders import OrderRepository

if TYPE_CHECKING:
    from shopdb.components import Components


class CustomerOrderRepository(CustomerRepository):
    """Orders by id, reference or idempotency key, bound to their owner
    (sql/customer_orders.sql), and the checkout of the owner's own cart."""

    namespace = "customer_orders"
    entity = "order"
    aggregate = OrderRepository
    queries = {
        "get": Order,
        "get_by_reference": Order,
        "list_items": OrderItem,
        "find_by_idempotency_key": OrderKey,
    }

    @unit_of_work
    def place_from_cart(
        self, /, cart_id: UUID, checkout: Checkout | None = None, *, user_id: UUID, **fields: Any
    ) -> OrderWithItems:
        """``db.checkout.place_from_cart`` of the user's own cart: NotFoundError for a cart
        that is not theirs (a guest's, another user's; nothing written). The addresses are
        held to the cart's user by the checkout (``orders.create``: CheckoutRefused, as for
        an address that does not exist) and by the schema (orders_*_user_id_fkey).
        Locks: the cart row (held on by the checkout), then the checkout's."""
        cart = self._tx.carts.lock_for_checkout(cart_id)
        if cart.user_id != user_id:
            raise NotFoundError("cart", cart_id)
        return self._tx.checkout.place_from_cart(cart_id, checkout, **fields)

    def get(self, order_id: UUID, *, user_id: UUID) -> OrderWithItems:
        """The user's order and its items (two queries); NotFoundError otherwise."""
        order = self._get("get", Order, id=order_id, user_id=user_id)
        return OrderWithItems(order=order, items=self.list_items(order_id, user_id=user_id))

    def get_by_reference(self, reference: str, *, user_id: UUID) -> Order:
        """The user's order with this reference (any letter case); NotFoundError otherwise."""
        return self._get("get_by_reference", Order, reference=reference, user_id=user_id)

    def list_items(self, order_id: UUID, *, user_id: UUID) -> list[OrderItem]:
        """The items of the user's order (none for an order that is not theirs)."""
        return self._list("list_items", OrderItem, order_id=order_id, user_id=user_id)

    def find_by_idempotency_key(
        self, idempotency_key: str | UUID, *, user_id: UUID
    ) -> OrderKey | None:
        """The user's order a checkout with this key placed, or None (another user's too)."""
        key = str(idempotency_key)
        return self._find("find_by_idempotency_key", OrderKey, idempotency_key=key, user_id=user_id)


class CustomerOrders:
    """``db.customer(user_id).orders``: the customer's orders and checkout."""

    def __init__(self, unit: Components, user_id: UUID) -> None:
        self._unit = unit
        self._user_id = user_id
        self._own = unit.repository(CustomerOrderRepository)

    def place_from_cart(
        self, cart_id: UUID, checkout: Checkout | None = None, **fields: Any
    ) -> OrderWithItems:
        """Turn the customer's active cart into a PENDING order (``db.checkout``)."""
        return self._own.place_from_cart(cart_id, checkout, user_id=self._user_id, **fields)

    def get(self, order_id: UUID) -> OrderWithItems:
        """The customer's order and its items; NotFoundError otherwise."""
        return self._own.get(order_id, user_id=self._user_id)

    def get_by_reference(self, reference: str) -> Order:
        """The customer's order with this reference; NotFoundError otherwise."""
        return self._own.get_by_reference(reference, user_id=self._user_id)

    def list_items(self, order_id: UUID) -> list[OrderItem]:
        """The items of the customer's order."""
        return self._own.list_items(order_id, user_id=self._user_id)

    def find_by_idempotency_key(self, idempotency_key: str | UUID) -> OrderKey | None:
        """The customer's order a checkout with this key placed, or None."""
        return self._own.find_by_idempotency_key(idempotency_key, user_id=self._user_id)

    def list_for_user(
        self, *, status: OrderStatus | None = None, limit: int = 20, cursor: str | None = None
    ) -> CursorPage[Order]:
        """The customer's orders, newest first, optionally in one status (keyset pages)."""
        return self._unit.orders.list_for_user(
            self._user_id, status=status, limit=limit, cursor=cursor
        )
