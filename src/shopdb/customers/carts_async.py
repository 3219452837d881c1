"""A customer's carts: the owner-bound queries and the view's methods."""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn
from uuid import UUID

from shopdb.core.errors import InvalidInput, NotFoundError
from shopdb.customers.base_async import AsyncCustomerRepository
from shopdb.models.carts import (
    MAX_LINE_QUANTITY,
    Cart,
    CartItem,
    CartLine,
    CartNotActive,
    CartStatus,
    CartTotals,
    CartWithItems,
    cart_line,
)
from shopdb.repositories.carts_async import AsyncCartRepository

if TYPE_CHECKING:
    from shopdb.components_async import AsyncComponents


class AsyncCustomerCartRepository(AsyncCustomerRepository):
    """Carts by id, bound to their owner (sql/customer_carts.sql): a guest's cart or another
    user's is not found, and a write to it changes nothing."""

    namespace = "customer_carts"
    entity = "cart"
    aggregate = AsyncCartRepository
    queries = {
        "get": Cart,
        "cart_status": None,
        "add_item": CartItem,
        "set_item_quantity": CartItem,
        "remove_item": None,
        "list_items": CartItem,
        "totals": CartTotals,
    }

    async def get(self, cart_id: UUID, *, user_id: UUID) -> Cart:
        """The user's cart; NotFoundError otherwise."""
        return await self._get("get", Cart, id=cart_id, user_id=user_id)

    async def add_item(self, cart_id: UUID, line: CartLine, *, user_id: UUID) -> CartItem:
        """``carts.add_item`` on the user's active cart only."""
        params = {"cart_id": cart_id, "user_id": user_id, **line.model_dump()}
        item = await self._find("add_item", CartItem, **params)
        if item is None:
            await self._explain_missing(
                cart_id, user_id, "product variant", line.product_variant_id
            )
        return item

    async def set_quantity(
        self, cart_id: UUID, product_variant_id: UUID, quantity: int, *, user_id: UUID
    ) -> None:
        """``carts.set_quantity`` on the user's active cart only (0 removes the line)."""
        if not 0 <= quantity <= MAX_LINE_QUANTITY:
            raise InvalidInput(f"quantity must be from 0 to {MAX_LINE_QUANTITY}")
        if quantity == 0:
            return await self.remove_item(cart_id, product_variant_id, user_id=user_id)
        params = {"cart_id": cart_id, "user_id": user_id, "product_variant_id": product_variant_id}
        if await self._find("set_item_quantity", CartItem, quantity=quantity, **params) is None:
            await self._explain_missing(cart_id, user_id, "cart line", product_variant_id)
        return None

    async def remove_item(self, cart_id: UUID, product_variant_id: UUID, *, user_id: UUID) -> None:
        """``carts.remove_item`` on the user's active cart only."""
        params = {"cart_id": cart_id, "user_id": user_id, "product_variant_id": product_variant_id}
        if await self._count("remove_item", **params) == 0:
            await self._explain_missing(cart_id, user_id, "cart line", product_variant_id)

    async def get_with_items(self, cart_id: UUID, *, user_id: UUID) -> CartWithItems:
        """The user's cart and its lines (two queries); NotFoundError otherwise."""
        cart = await self.get(cart_id, user_id=user_id)
        items = await self._list("list_items", CartItem, cart_id=cart_id, user_id=user_id)
        return CartWithItems(cart=cart, items=items)

    async def totals(self, cart_id: UUID, *, user_id: UUID) -> CartTotals:
        """Line count, unit count and subtotal of the user's cart; NotFoundError otherwise."""
        return await self._get("totals", CartTotals, cart_id=cart_id, user_id=user_id)

    async def _explain_missing(
        self, cart_id: UUID, user_id: UUID, what: str, key: UUID
    ) -> NoReturn:
        """No cart of this user, a cart no longer active, or no ``what``."""
        status = await self._value("cart_status", id=cart_id, user_id=user_id)
        if status is None:
            raise NotFoundError("cart", cart_id)
        if status != CartStatus.ACTIVE:
            raise CartNotActive(f"cart {cart_id} is {status}: its lines can no longer change")
        raise NotFoundError(what, key)


class AsyncCustomerCarts:
    """``db.customer(user_id).carts``: the customer's carts."""

    def __init__(self, unit: AsyncComponents, user_id: UUID) -> None:
        self._unit = unit
        self._user_id = user_id
        self._own = unit.repository(AsyncCustomerCartRepository)

    async def get_or_create_active(self) -> Cart:
        """The customer's active cart, created when there is none."""
        return await self._unit.carts.get_or_create_active(user_id=self._user_id)

    async def get(self, cart_id: UUID) -> Cart:
        """The customer's cart; NotFoundError otherwise."""
        return await self._own.get(cart_id, user_id=self._user_id)

    async def add_item(
        self, cart_id: UUID, line: CartLine | UUID, quantity: int | None = None
    ) -> CartItem:
        """Add a line to the customer's active cart (as ``carts.add_item``)."""
        return await self._own.add_item(cart_id, cart_line(line, quantity), user_id=self._user_id)

    async def set_quantity(self, cart_id: UUID, product_variant_id: UUID, quantity: int) -> None:
        """Set a line's quantity in the customer's active cart; 0 removes the line."""
        await self._own.set_quantity(cart_id, product_variant_id, quantity, user_id=self._user_id)

    async def remove_item(self, cart_id: UUID, product_variant_id: UUID) -> None:
        """Remove a line of the customer's active cart."""
        await self._own.remove_item(cart_id, product_variant_id, user_id=self._user_id)

    async def get_with_items(self, cart_id: UUID) -> CartWithItems:
        """The customer's cart and its lines."""
        return await self._own.get_with_items(cart_id, user_id=self._user_id)

    async def totals(self, cart_id: UUID) -> CartTotals:
        """Line count, unit count and subtotal of the customer's cart."""
        return await self._own.totals(cart_id, user_id=self._user_id)

    async def merge_guest_cart(self, session_id: str) -> Cart:
        """On login: the guest session's cart joins the customer's (``carts.merge_guest_cart``)."""
        return await self._unit.carts.merge_guest_cart(session_id, self._user_id)
