"""Checkout (with an Idempotency-Key), pay, my orders: through ``db.customer(user_id)``."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Query

from examples.shop import provider
from examples.shop.dependencies import Db, Me
from examples.shop.schemas import CheckoutIn, PageOut, PaymentIn
from shopdb.models import Checkout, Order, OrderStatus, OrderWithItems, Payment

router = APIRouter(tags=["orders"])
TAX_RATE = Decimal("0.18")
"""The example's one tax rate (a real shop computes it per address)."""
IdempotencyKey = Annotated[str, Header(alias="Idempotency-Key", min_length=8, max_length=200)]


@router.post("/carts/{cart_id}/checkout", status_code=201)
async def checkout(
    cart_id: UUID, body: CheckoutIn, idempotency_key: IdempotencyKey, me: Me, db: Db
) -> OrderWithItems:
    """Turn the caller's cart into a PENDING order, stock reserved, the coupon counted.

    The client draws one Idempotency-Key per checkout and sends it again on a retry (a
    timeout, a 503): the same key gives the same order, never a second one (also from the
    caller's next cart); another customer's key is a 409. 404 for a cart that is not the
    caller's, 409 when stock or the coupon refuse, 422 for an empty cart or an address
    that is not the caller's."""
    order = Checkout(
        shipping_address_id=body.shipping_address_id,
        billing_address_id=body.billing_address_id,
        coupon_code=body.coupon_code,
        idempotency_key=idempotency_key,
        tax_rate=TAX_RATE,
    )
    return await db.customer(me.user_id).orders.place_from_cart(cart_id, order)


@router.post("/orders/{order_id}/payments", status_code=201)
async def pay(order_id: UUID, body: PaymentIn, me: Me, db: Db) -> Payment:
    """Pay the caller's PENDING order: the payment is recorded for the order's total
    (through the customer view: 404 for another's order), then the demo provider
    confirms it and the order is PAID. 409 for an order already paid."""
    initiated = await db.customer(me.user_id).payments.initiate(order_id, body.provider)
    return await provider.confirm(db, initiated, body.card_token, body.last_four_digits)


@router.get("/orders")
async def my_orders(
    me: Me,
    db: Db,
    status: OrderStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: str | None = None,
) -> PageOut[Order]:
    """The caller's orders, newest first, optionally in one status."""
    page = await db.customer(me.user_id).orders.list_for_user(
        status=status, limit=limit, cursor=cursor
    )
    return PageOut[Order](items=page.items, next_cursor=page.next_cursor)


@router.get("/orders/{order_id}")
async def my_order(order_id: UUID, me: Me, db: Db) -> OrderWithItems:
    """The caller's order and its items; 404 for anyone else's."""
    return await db.customer(me.user_id).orders.get(order_id)
