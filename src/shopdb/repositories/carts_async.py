"""CartRepository: active carts of users and guest sessions, their lines and housekeeping."""

from __future__ import annotations

from datetime import timedelta
from typing import NoReturn
from uuid import UUID

from shopdb.core import checks
from shopdb.core.errors import InvalidInput, NotFoundError
from shopdb.core.unit_async import in_transaction, unit_of_work
from shopdb.models.carts import (
    MAX_LINE_QUANTITY,
    MAX_SESSION_ID,
    Cart,
    CartItem,
    CartLine,
    CartLineQuantityExceeded,
    CartLock,
    CartNotActive,
    CartStatus,
    CartTotals,
    CartWithItems,
    CheckoutLine,
    cart_line,
)
from shopdb.models.users import ERASED_OWNER, UserErased
from shopdb.repositories.base_async import AsyncShopRepository

GUEST_CART_TTL = timedelta(days=30)


class AsyncCartRepository(AsyncShopRepository):
    """Carts. An owner (user or guest session) has at most one active cart; every change of
    a cart's lines bumps its updated_at, which mark_abandoned reads through its index."""

    namespace = "carts"
    entity = "cart"
    tables = ("carts", "cart_items")
    locks = {"lock_owner": None, "lock_for_checkout": CartLock}
    queries = {
        "find_active_for_user": Cart,
        "find_active_for_session": Cart,
        "create_for_user": Cart,
        "create_for_session": Cart,
        "get": Cart,
        "cart_status": None,
        "add_item": CartItem,
        "set_item_quantity": CartItem,
        "remove_item": None,
        "list_items": CartItem,
        "totals": CartTotals,
        "adopt_guest_cart": Cart,
        "merge_items": None,
        "delete_cart": None,
        "mark_abandoned_batch": None,
        "delete_expired_batch": None,
        "checkout_lines": CheckoutLine,
        "reprice_lines": None,
        "mark_checked_out": None,
    }
    constraint_messages = {
        "carts_user_id_active_key": "the user already has an active cart",
        "cart_items_quantity_check": "a cart line holds at least one unit",
        "cart_items_cart_id_product_variant_id_key": "the cart already has a line for this variant",
        "cart_items_quantity_max_check": "a cart line holds at most 1000 units",
        "carts_owner_not_erased_check": ERASED_OWNER,
    }
    constraint_errors = {
        "cart_items_quantity_max_check": CartLineQuantityExceeded,
        "carts_owner_not_erased_check": UserErased,
    }

    async def get_or_create_active(
        self, *, user_id: UUID | None = None, session_id: str | None = None
    ) -> Cart:
        """The owner's active cart, created when there is none; exactly one also when two
        calls race. Give a user id or, before login, a guest session id.
        Locks: the owner's advisory lock."""
        if (user_id is None) == (session_id is None):
            raise InvalidInput("give exactly one of user_id and session_id")
        return await self._active_cart(
            user_id, checks.text("session_id", session_id, MAX_SESSION_ID)
        )

    async def get(self, cart_id: UUID) -> Cart:
        """The cart with this id; NotFoundError otherwise."""
        return await self._get("get", Cart, id=cart_id)

    async def add_item(
        self, cart_id: UUID, line: CartLine | UUID, quantity: int | None = None
    ) -> CartItem:
        """Add ``line.quantity`` of a variant at its current price; adding a variant that is
        already in the cart adds to its quantity (CartLineQuantityExceeded past 1000 units in
        the line, held by a CHECK: racing adds too). Locks: the cart row, then the line.
        ``add_item(cart_id, variant_id, quantity=1)`` is the same as passing a CartLine;
        InvalidInput for a quantity outside 1 to 1000 (nothing written)."""
        adding = cart_line(line, quantity)
        item = await self._find("add_item", CartItem, cart_id=cart_id, **adding.model_dump())
        if item is None:
            await self._explain_missing(cart_id, "product variant", adding.product_variant_id)
        return item

    async def set_quantity(self, cart_id: UUID, product_variant_id: UUID, quantity: int) -> None:
        """Set a line's quantity; 0 removes the line. NotFoundError when there is no line."""
        checks.whole("quantity", quantity, 0, MAX_LINE_QUANTITY)
        if quantity == 0:
            return await self.remove_item(cart_id, product_variant_id)
        params = {"cart_id": cart_id, "product_variant_id": product_variant_id}
        if await self._find("set_item_quantity", CartItem, quantity=quantity, **params) is None:
            await self._explain_missing(cart_id, "cart line", product_variant_id)
        return None

    async def remove_item(self, cart_id: UUID, product_variant_id: UUID) -> None:
        """Remove a line; NotFoundError when the cart has none for this variant."""
        params = {"cart_id": cart_id, "product_variant_id": product_variant_id}
        if await self._count("remove_item", **params) == 0:
            await self._explain_missing(cart_id, "cart line", product_variant_id)

    async def get_with_items(self, cart_id: UUID) -> CartWithItems:
        """The cart and its lines: two queries whatever the number of lines."""
        cart = await self.get(cart_id)
        return CartWithItems(
            cart=cart, items=await self._list("list_items", CartItem, cart_id=cart_id)
        )

    async def totals(self, cart_id: UUID) -> CartTotals:
        """Line count, unit count and subtotal, computed by the database in one query."""
        return await self._get("totals", CartTotals, cart_id=cart_id)

    @unit_of_work
    async def merge_guest_cart(self, session_id: str, user_id: UUID) -> Cart:
        """On login: the guest session's cart becomes the user's, or its lines are added to
        the user's active cart (quantities summed) and it is deleted.
        Locks: the user's advisory lock, then the session's, then the carts' rows."""
        checks.text("session_id", session_id, MAX_SESSION_ID)
        await self._lock("lock_owner", None, owner_key=f"shopdb.carts:user:{user_id}")
        await self._lock("lock_owner", None, owner_key=f"shopdb.carts:session:{session_id}")
        guest = await self._find("find_active_for_session", Cart, session_id=session_id)
        mine = await self._find("find_active_for_user", Cart, user_id=user_id)
        if guest is None:
            return mine or await self._get("create_for_user", Cart, user_id=user_id)
        if mine is None:
            return await self._get("adopt_guest_cart", Cart, cart_id=guest.id, user_id=user_id)
        await self._count("merge_items", from_cart_id=guest.id, into_cart_id=mine.id)
        await self._count("delete_cart", id=guest.id)
        return await self.get(mine.id)

    async def mark_abandoned(self, older_than: timedelta, *, batch_size: int = 1000) -> int:
        """Mark active carts idle for longer than ``older_than`` ABANDONED, ``batch_size``
        per statement (each commits on its own: no long lock); returns how many."""
        seconds = older_than.total_seconds()
        return await self._count_in_batches(
            "mark_abandoned_batch", batch_size, idle_seconds=seconds
        )

    async def expire(self, *, batch_size: int = 1000) -> int:
        """Delete carts past their expiry that were never checked out, in bounded batches."""
        return await self._count_in_batches("delete_expired_batch", batch_size)

    @unit_of_work
    async def _active_cart(self, user_id: UUID | None, session_id: str | None) -> Cart:
        if user_id is not None:
            await self._lock("lock_owner", None, owner_key=f"shopdb.carts:user:{user_id}")
            found = await self._find("find_active_for_user", Cart, user_id=user_id)
            return found or await self._get("create_for_user", Cart, user_id=user_id)
        await self._lock("lock_owner", None, owner_key=f"shopdb.carts:session:{session_id}")
        found = await self._find("find_active_for_session", Cart, session_id=session_id)
        ttl = GUEST_CART_TTL.total_seconds()
        return found or await self._get(
            "create_for_session", Cart, session_id=session_id, ttl_seconds=ttl
        )

    @in_transaction
    async def lock_for_checkout(self, cart_id: UUID) -> CartLock:
        """Lock the cart being checked out (FOR NO KEY UPDATE: its lines cannot change
        meanwhile) and read whose it is and its status; NotFoundError when there is none."""
        return await self._lock("lock_for_checkout", CartLock, cart_id=cart_id)

    async def checkout_lines(self, cart_id: UUID) -> list[CheckoutLine]:
        """The cart's lines as an order holds them (variant, product, quantity, the price in
        the cart, currency), in ascending variant id."""
        return await self._list("checkout_lines", CheckoutLine, cart_id=cart_id)

    async def reprice_lines(self, cart_id: UUID) -> int:
        """Put today's price on each line priced otherwise; how many lines changed."""
        return await self._count("reprice_lines", cart_id=cart_id)

    async def mark_checked_out(self, cart_id: UUID) -> None:
        """The active cart an order was placed from becomes CHECKED_OUT; CartNotActive
        when it is not active any more, NotFoundError when there is none."""
        if await self._count("mark_checked_out", cart_id=cart_id) == 0:
            await self._explain_missing(cart_id, "cart", cart_id)

    async def _explain_missing(self, cart_id: UUID, what: str, key: UUID) -> NoReturn:
        """Why a write to a cart found nothing: no cart, a cart no longer active, or no ``what``."""
        status = await self._value("cart_status", id=cart_id)
        if status is None:
            raise NotFoundError("cart", cart_id)
        if status != CartStatus.ACTIVE:
            raise CartNotActive(f"cart {cart_id} is {status}: its lines can no longer change")
        raise NotFoundError(what, key)
