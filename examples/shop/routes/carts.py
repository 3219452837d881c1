"""The shopper's cart: every statement through ``db.customer(user_id).carts``, so another
customer's cart is a 404 and nothing of it changes."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from examples.shop.dependencies import Db, Me
from examples.shop.schemas import CartOut, Quantity
from shopdb.models import Cart, CartItem, CartLine

router = APIRouter(prefix="/carts", tags=["cart"])


@router.post("", status_code=201)
async def open_cart(me: Me, db: Db) -> Cart:
    """The caller's active cart, created when there is none (the same one until checkout)."""
    return await db.customer(me.user_id).carts.get_or_create_active()


@router.get("/{cart_id}")
async def cart(cart_id: UUID, me: Me, db: Db) -> CartOut:
    """The caller's cart with its lines and totals; 404 for anyone else's."""
    carts = db.customer(me.user_id).carts
    found = await carts.get_with_items(cart_id)
    totals = await carts.totals(cart_id)
    return CartOut(cart=found.cart, items=found.items, totals=totals)


@router.post("/{cart_id}/items", status_code=201)
async def add_item(cart_id: UUID, line: CartLine, me: Me, db: Db) -> CartItem:
    """Add a variant (the same one again adds up); 409 once the cart is checked out."""
    return await db.customer(me.user_id).carts.add_item(cart_id, line)


@router.put("/{cart_id}/items/{variant_id}", status_code=204)
async def set_quantity(cart_id: UUID, variant_id: UUID, body: Quantity, me: Me, db: Db) -> Response:
    """Set a line's quantity; 0 removes it; 422 outside 0..1000."""
    await db.customer(me.user_id).carts.set_quantity(cart_id, variant_id, body.quantity)
    return Response(status_code=204)


@router.delete("/{cart_id}/items/{variant_id}", status_code=204)
async def remove_item(cart_id: UUID, variant_id: UUID, me: Me, db: Db) -> Response:
    """Remove a line."""
    await db.customer(me.user_id).carts.remove_item(cart_id, variant_id)
    return Response(status_code=204)
