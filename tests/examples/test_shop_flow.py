"""A shopper's whole visit through the example shop's HTTP API: register, log in, browse and
search, fill a cart, check out with an Idempotency-Key (and again with the same key: the same
order), pay, see the order PAID in "my orders", log out."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

import httpx
import pytest

from shopdb import AsyncDatabase
from tests.examples.conftest import (
    LAMP,
    SHADE,
    Catalog,
    checkout_body,
    filled_cart,
    sign_up,
)

pytestmark = pytest.mark.anyio


async def test_a_shopper_registers_browses_checks_out_pays_and_sees_the_order(
    client: httpx.AsyncClient, catalog: Catalog, adb: AsyncDatabase
) -> None:
    ada = await sign_up(client, "ada@example.com")
    me = await client.get("/me", headers=ada.auth)
    assert me.status_code == 200
    assert (me.json()["id"], me.json()["email"]) == (str(ada.user_id), "ada@example.com")
    assert "password_hash" not in me.json()

    # browse: the tree, a category's products (what is below it too), a search, the details
    tree = (await client.get("/categories")).json()
    assert [c["slug"] for c in tree] == ["home", "lighting"]
    listed = await client.get("/products", params={"category_id": str(catalog.home_id)})
    assert [p["id"] for p in listed.json()["items"]] == [str(catalog.lamp_id)]
    found = await client.get("/products/search", params={"q": "brass lam"})
    assert [hit["id"] for hit in found.json()["items"]] == [str(catalog.lamp_id)]
    details = (await client.get(f"/products/{catalog.lamp_id}")).json()
    assert {v["sku"] for v in details["variants"]} == {"LAMP-BRASS", "LAMP-SHADE"}

    # cart: the same variant twice adds up; a quantity set; totals in exact decimals
    cart_id = await filled_cart(client, ada, {catalog.brass_id: 1, catalog.shade_id: 3})
    again = await client.post(
        f"/carts/{cart_id}/items",
        headers=ada.auth,
        json={"product_variant_id": str(catalog.brass_id)},
    )
    assert again.status_code == 201
    changed = await client.put(
        f"/carts/{cart_id}/items/{catalog.shade_id}", headers=ada.auth, json={"quantity": 1}
    )
    assert changed.status_code == 204
    cart = (await client.get(f"/carts/{cart_id}", headers=ada.auth)).json()
    lines = {UUID(i["product_variant_id"]): i["quantity"] for i in cart["items"]}
    assert lines == {catalog.brass_id: 2, catalog.shade_id: 1}
    assert Decimal(cart["totals"]["subtotal"]) == 2 * LAMP + SHADE

    # checkout with a coupon; a retry with the same Idempotency-Key: the same order
    key = {"Idempotency-Key": "checkout-ada-0001"}
    body = checkout_body(ada, coupon="welcome10")
    placed = await client.post(f"/carts/{cart_id}/checkout", headers={**ada.auth, **key}, json=body)
    assert placed.status_code == 201, placed.text
    retried = await client.post(
        f"/carts/{cart_id}/checkout", headers={**ada.auth, **key}, json=body
    )
    assert retried.status_code == 201, retried.text
    assert retried.json() == placed.json()
    order = placed.json()["order"]
    subtotal = 2 * LAMP + SHADE
    discount = (subtotal / 10).quantize(Decimal("0.01"))
    tax = ((subtotal - discount) * Decimal("0.18")).quantize(Decimal("0.01"))
    assert Decimal(order["total_amount"]) == subtotal - discount + tax
    assert order["status"] == "PENDING"
    assert len((await adb.orders.list_for_user(ada.user_id)).items) == 1  # one, not two
    coupon = await adb.coupons.get_by_code("welcome10")
    assert coupon.usage_count == 1

    # pay: the demo provider confirms at once; the order is PAID
    paid = await client.post(
        f"/orders/{order['id']}/payments",
        headers=ada.auth,
        json={"provider": "IYZICO", "card_token": "tok_ada", "last_four_digits": "4242"},
    )
    assert paid.status_code == 201, paid.text
    assert paid.json()["status"] == "SETTLED"
    assert Decimal(paid.json()["amount"]) == Decimal(order["total_amount"])
    again_paid = await client.post(f"/orders/{order['id']}/payments", headers=ada.auth, json={})
    assert again_paid.status_code == 409, again_paid.text  # OrderNotPayable: already PAID

    # my orders
    mine = (await client.get("/orders", headers=ada.auth)).json()
    assert [(o["id"], o["status"]) for o in mine["items"]] == [(order["id"], "PAID")]
    assert mine["next_cursor"] is None
    one = (await client.get(f"/orders/{order['id']}", headers=ada.auth)).json()
    assert {UUID(i["product_variant_id"]): i["quantity"] for i in one["items"]} == lines
    pending = await client.get("/orders", headers=ada.auth, params={"status": "PENDING"})
    assert pending.json()["items"] == []

    # log out: the token is refused from then on
    assert (await client.delete("/sessions/current", headers=ada.auth)).status_code == 204
    assert (await client.get("/me", headers=ada.auth)).status_code == 401


async def test_health_answers_with_the_pool(client: httpx.AsyncClient) -> None:
    health = await client.get("/health")
    assert health.status_code == 200
    assert health.json()["ok"] is True
    assert health.json()["pool"]["pool_size"] >= 1
