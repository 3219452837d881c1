"""CheckoutService: a cart becomes an order, its stock reserved and its coupon counted."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

from shopdb.core.errors import InvalidInput
from shopdb.core.unit_async import unit_of_work
from shopdb.models.carts import CartLock, CartNotActive, CartStatus, CheckoutLine
from shopdb.models.events import OrderPlaced
from shopdb.models.orders import (
    Checkout,
    CheckoutRefused,
    IdempotencyKeyReused,
    NewOrder,
    OrderKey,
    OrderWithItems,
    PriceChange,
    PricesChanged,
    ProductUnavailable,
)
from shopdb.services.base_async import AsyncService

CENT = Decimal("0.01")


class AsyncCheckoutService(AsyncService):
    """Checkout. One transaction, retried as a whole on serialization failure or deadlock,
    taking its locks in one fixed order (the cart row, the inventory rows by variant id, the
    coupon row): docs/transactions.md says why it cannot deadlock, oversell or charge twice."""

    async def place_from_cart(
        self,
        cart_id: UUID,
        checkout: Checkout | None = None,
        *,
        shipping_address_id: UUID | None = None,
        billing_address_id: UUID | None = None,
        coupon_code: str | None = None,
        idempotency_key: str | UUID | None = None,
        tax_rate: Decimal | None = None,
    ) -> OrderWithItems:
        """Turn an active cart into a PENDING order at today's prices. The same idempotency
        key gives back the same order (also when two calls race), whatever cart of the same
        user the retry names; a key of another user's order raises IdempotencyKeyReused. The
        checkout is a Checkout, or its fields as keyword arguments
        (``shipping_address_id=, billing_address_id=, idempotency_key=``, optionally
        ``coupon_code=`` and ``tax_rate=``), not both; InvalidInput when they do not make
        a valid Checkout (nothing is written). ProductUnavailable when a line's product is
        not on sale (nothing written); PricesChanged when a line's price is not today's: the
        cart's lines are repriced (committed) and nothing else is written."""
        fields = {
            "shipping_address_id": shipping_address_id,
            "billing_address_id": billing_address_id,
            "coupon_code": coupon_code,
            "idempotency_key": idempotency_key,
            "tax_rate": tax_rate,
        }
        outcome = await self._place_from_cart(cart_id, _checkout(checkout, fields))
        if isinstance(outcome, PricesChanged):
            raise outcome  # after the unit committed the new prices of the cart's lines
        return outcome

    @unit_of_work
    async def _place_from_cart(
        self, cart_id: UUID, placing: Checkout
    ) -> OrderWithItems | PricesChanged:
        """The checkout's unit: the order placed, or the cart repriced and the refusal
        returned (``place_from_cart`` raises it once this unit has committed)."""
        tx = self._tx
        cart = await tx.carts.lock_for_checkout(cart_id)
        # After the lock: a repeated call that waited for it sees the order the first placed.
        placed = await tx.orders.find_by_idempotency_key(placing.idempotency_key)
        if placed is not None:
            return await self._replayed(placed, cart)
        lines = _ready(cart, await tx.carts.checkout_lines(cart_id))
        if unavailable := [line.product_variant_id for line in lines if not line.on_sale]:
            raise ProductUnavailable(unavailable)
        if changed := _price_changes(lines):
            await tx.carts.reprice_lines(cart_id)
            return PricesChanged(changed)
        return await self._place(cart, lines, placing)

    async def _replayed(self, placed: OrderKey, cart: CartLock) -> OrderWithItems:
        # Whatever cart the retry names, if it is the same user's: after a checkout the
        # client's current cart is a new one. Another user's key gives nothing of the order.
        if placed.cart_id != cart.cart_id and (
            cart.user_id is None or placed.user_id != cart.user_id
        ):
            raise IdempotencyKeyReused(
                "this idempotency key already placed an order of another customer"
            )
        return await self._tx.orders.get(placed.id)

    async def _place(
        self,
        cart: CartLock,
        lines: list[CheckoutLine],
        checkout: Checkout,
    ) -> OrderWithItems:
        """Price the order, write it, reserve its stock (recorded per order and variant),
        check the cart out and count the coupon."""
        tx = self._tx
        assert cart.user_id is not None  # _ready refused a guest's cart
        subtotal = sum((line.unit_price * line.quantity for line in lines), Decimal("0"))
        code = checkout.coupon_code
        discount = (
            Decimal("0")
            if code is None
            else await tx.coupons.validate(code, cart.user_id, subtotal)
        )
        order = await tx.orders.create(
            NewOrder(
                user_id=cart.user_id,
                cart_id=cart.cart_id,
                idempotency_key=checkout.idempotency_key,
                subtotal_amount=subtotal,
                discount_amount=discount,
                tax_amount=((subtotal - discount) * checkout.tax_rate).quantize(
                    CENT, ROUND_HALF_UP
                ),
                currency=lines[0].currency,
                shipping_address_id=checkout.shipping_address_id,
                billing_address_id=checkout.billing_address_id,
            )
        )
        if order is None:
            raise CheckoutRefused("an address of the checkout is not a live address of its user")
        await tx.inventory.reserve_for_order(
            order.id, [(line.product_variant_id, line.quantity) for line in lines]
        )
        await tx.carts.mark_checked_out(cart.cart_id)
        await tx.events.record(OrderPlaced.of(order))
        await tx.cart_recovery.attribute(order)
        if code is not None:
            await tx.coupons.record_usage(code, cart.user_id, order.id, discount)
        return OrderWithItems(order=order, items=await tx.orders.list_items(order.id))


def _checkout(checkout: Checkout | None, fields: dict[str, Any]) -> Checkout:
    """The Checkout given, or the one its keyword fields make; InvalidInput otherwise."""
    given = {name: value for name, value in fields.items() if value is not None}
    if checkout is not None and given:
        raise InvalidInput(
            f"place_from_cart takes a Checkout or its fields, not both ({', '.join(given)})"
        )
    return checkout if checkout is not None else Checkout.model_validate(given)


def _price_changes(lines: list[CheckoutLine]) -> list[PriceChange]:
    """The lines priced otherwise in the cart than today, with both prices."""
    return [
        PriceChange(
            product_variant_id=line.product_variant_id,
            old_price=line.unit_price,
            new_price=line.current_price,
        )
        for line in lines
        if line.unit_price != line.current_price
    ]


def _ready(cart: CartLock, lines: list[CheckoutLine]) -> list[CheckoutLine]:
    """The cart's lines, once the cart is shown fit for checkout."""
    if cart.status is not CartStatus.ACTIVE:
        raise CartNotActive(f"cart {cart.cart_id} is {cart.status}: it cannot be checked out")
    if cart.user_id is None:
        raise CheckoutRefused("a guest cart must be merged into a user's cart before checkout")
    if not lines:
        raise CheckoutRefused(f"cart {cart.cart_id} is empty")
    if len({line.currency for line in lines}) > 1:
        raise CheckoutRefused("the cart holds products priced in different currencies")
    return lines
