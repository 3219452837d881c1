"""What the example shop refuses, and that a refusal writes nothing: another customer's cart
and order are 404 (the customer view finds nothing), bad input is 422, a reused
Idempotency-Key gives the same order (409 when another customer sends it), wrong credentials 401, a
taken email 409, more than the stock 409."""

from __future__ import annotations

from uuid import UUID, uuid4

import httpx
import pytest

from shopdb import AsyncDatabase
from shopdb.models import CartStatus
from tests.examples.conftest import PASSWORD, Catalog, checkout_body, filled_cart, sign_up

pytestmark = pytest.mark.anyio


async def test_another_customers_cart_and_order_are_not_found_and_stay_untouched(
    client: httpx.AsyncClient, catalog: Catalog, adb: AsyncDatabase
) -> None:
    ada = await sign_up(client, "ada@example.com")
    bob = await sign_up(client, "bob@example.com")
    bobs_cart = await filled_cart(client, bob, {catalog.brass_id: 1})
    line = {"product_variant_id": str(catalog.shade_id), "quantity": 1}
    key = {"Idempotency-Key": "ada-takes-bobs-cart"}
    refused = [
        await client.get(f"/carts/{bobs_cart}", headers=ada.auth),
        await client.post(f"/carts/{bobs_cart}/items", headers=ada.auth, json=line),
        await client.put(
            f"/carts/{bobs_cart}/items/{catalog.brass_id}", headers=ada.auth, json={"quantity": 9}
        ),
        await client.delete(f"/carts/{bobs_cart}/items/{catalog.brass_id}", headers=ada.auth),
        await client.post(
            f"/carts/{bobs_cart}/checkout", headers={**ada.auth, **key}, json=checkout_body(ada)
        ),
    ]
    assert [r.status_code for r in refused] == [404] * 5, [r.text for r in refused]
    assert {r.json()["error"] for r in refused} == {"NotFoundError"}
    kept = await adb.carts.get_with_items(bobs_cart)
    assert kept.cart.status is CartStatus.ACTIVE
    assert [(i.product_variant_id, i.quantity) for i in kept.items] == [(catalog.brass_id, 1)]
    assert (await adb.orders.list_for_user(ada.user_id)).items == []

    # Bob's order: Ada can neither read nor pay it
    placed = await client.post(
        f"/carts/{bobs_cart}/checkout",
        headers={**bob.auth, "Idempotency-Key": "bob-checkout-1"},
        json=checkout_body(bob),
    )
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["order"]["id"]
    assert (await client.get(f"/orders/{order_id}", headers=ada.auth)).status_code == 404
    paying = await client.post(f"/orders/{order_id}/payments", headers=ada.auth, json={})
    assert paying.status_code == 404
    assert await adb.payments.list_for_order(UUID(order_id)) == []
    assert (await client.get("/orders", headers=ada.auth)).json()["items"] == []

    # Ada's address in Bob's checkout: refused (422), nothing placed
    bobs_next = await filled_cart(client, bob, {catalog.shade_id: 1})
    borrowed = await client.post(
        f"/carts/{bobs_next}/checkout",
        headers={**bob.auth, "Idempotency-Key": "bob-checkout-2"},
        json=checkout_body(ada),
    )
    assert borrowed.status_code == 422, borrowed.text
    assert (await adb.carts.get(bobs_next)).status is CartStatus.ACTIVE


async def test_bad_input_is_422_and_writes_nothing(
    client: httpx.AsyncClient, catalog: Catalog, adb: AsyncDatabase
) -> None:
    bad_email = await client.post("/accounts", json={"email": "not an email", "password": PASSWORD})
    assert bad_email.status_code == 422
    assert bad_email.json()["error"] == "InvalidInput"
    assert [f["field"] for f in bad_email.json()["fields"]] == ["email"]
    short = await client.post("/accounts", json={"email": "eve@example.com", "password": "short"})
    assert short.status_code == 422
    assert await adb.users.find_by_email("eve@example.com") is None

    ada = await sign_up(client, "ada@example.com")
    cart_id = await filled_cart(client, ada, {catalog.brass_id: 1})
    items = f"/carts/{cart_id}/items"
    answers = {
        "quantity 0": await client.post(
            items, headers=ada.auth, json={"product_variant_id": str(catalog.brass_id),
                                           "quantity": 0}
        ),
        "quantity as text": await client.post(
            items, headers=ada.auth, json={"product_variant_id": str(catalog.brass_id),
                                           "quantity": "2"}
        ),
        "unknown field": await client.post(
            items, headers=ada.auth, json={"product_variant_id": str(catalog.brass_id),
                                           "price": "0.01"}
        ),
        "quantity over 1000": await client.put(
            f"{items}/{catalog.brass_id}", headers=ada.auth, json={"quantity": 5000}
        ),
        "not a uuid": await client.get("/carts/not-a-uuid", headers=ada.auth),
        "no idempotency key": await client.post(
            f"/carts/{cart_id}/checkout", headers=ada.auth, json=checkout_body(ada)
        ),
        "short idempotency key": await client.post(
            f"/carts/{cart_id}/checkout",
            headers={**ada.auth, "Idempotency-Key": "k"},
            json=checkout_body(ada),
        ),
        "empty search": await client.get("/products/search", params={"q": ""}),
        "limit 0": await client.get("/products", params={"limit": 0}),
        "forged cursor": await client.get("/products", params={"cursor": "forged"}),
    }  # fmt: skip
    assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(answers, 422)
    cart = await adb.carts.get_with_items(cart_id)
    assert [(i.product_variant_id, i.quantity) for i in cart.items] == [(catalog.brass_id, 1)]
    assert cart.cart.status is CartStatus.ACTIVE

    unknown = await client.post(
        items, headers=ada.auth, json={"product_variant_id": str(uuid4()), "quantity": 1}
    )
    assert unknown.status_code in (404, 422), unknown.text


async def test_an_idempotency_key_is_one_order(
    client: httpx.AsyncClient, catalog: Catalog, adb: AsyncDatabase
) -> None:
    ada = await sign_up(client, "ada@example.com")
    first_cart = await filled_cart(client, ada, {catalog.brass_id: 1})
    key = {**ada.auth, "Idempotency-Key": "ada-0001-once"}
    placed = await client.post(
        f"/carts/{first_cart}/checkout", headers=key, json=checkout_body(ada)
    )
    assert placed.status_code == 201, placed.text
    replay = await client.post(
        f"/carts/{first_cart}/checkout", headers=key, json=checkout_body(ada)
    )
    assert (replay.status_code, replay.json()) == (201, placed.json())

    # the same key from another cart of hers (a retry after the client moved on to its
    # new cart): still that one order, and the new cart stays as it was
    second_cart = await filled_cart(client, ada, {catalog.shade_id: 2})
    assert second_cart != first_cart
    moved_on = await client.post(
        f"/carts/{second_cart}/checkout", headers=key, json=checkout_body(ada)
    )
    assert (moved_on.status_code, moved_on.json()) == (201, placed.json())
    assert (await adb.carts.get(second_cart)).status is CartStatus.ACTIVE

    # another customer's checkout with her key: 409, nothing of her order shown or written
    bob = await sign_up(client, "bob@example.com")
    bobs_cart = await filled_cart(client, bob, {catalog.shade_id: 1})
    reused = await client.post(
        f"/carts/{bobs_cart}/checkout",
        headers={**bob.auth, "Idempotency-Key": "ada-0001-once"},
        json=checkout_body(bob),
    )
    assert reused.status_code == 409, reused.text
    assert reused.json()["error"] == "IdempotencyKeyReused"
    assert placed.json()["order"]["id"] not in reused.text
    assert (await adb.carts.get(bobs_cart)).status is CartStatus.ACTIVE
    assert (await adb.orders.list_for_user(bob.user_id)).items == []
    orders = (await adb.orders.list_for_user(ada.user_id)).items
    assert [o.id for o in orders] == [UUID(placed.json()["order"]["id"])]
    stock = await adb.products.get_with_details(catalog.lamp_id)
    reserved = {v.sku: v.quantity_reserved for v in stock.variants}
    assert reserved == {"LAMP-BRASS": 1, "LAMP-SHADE": 0}


async def test_more_than_the_stock_is_409_and_reserves_nothing(
    client: httpx.AsyncClient, catalog: Catalog, adb: AsyncDatabase
) -> None:
    ada = await sign_up(client, "ada@example.com")
    cart_id = await filled_cart(client, ada, {catalog.shade_id: 6})  # 5 on hand
    refused = await client.post(
        f"/carts/{cart_id}/checkout",
        headers={**ada.auth, "Idempotency-Key": "ada-too-many"},
        json=checkout_body(ada),
    )
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"] == "OutOfStockError"
    assert (await adb.carts.get(cart_id)).status is CartStatus.ACTIVE
    stock = await adb.products.get_with_details(catalog.lamp_id)
    assert {v.sku: v.quantity_reserved for v in stock.variants} == {
        "LAMP-BRASS": 0,
        "LAMP-SHADE": 0,
    }


async def test_login_refusals_and_a_taken_email(client: httpx.AsyncClient) -> None:
    await sign_up(client, "ada@example.com")
    taken = await client.post("/accounts", json={"email": "ada@example.com", "password": PASSWORD})
    assert taken.status_code == 409
    assert taken.json()["error"] == "ConflictError"
    wrong = await client.post("/sessions", json={"email": "ada@example.com", "password": "x" * 12})
    nobody = await client.post("/sessions", json={"email": "who@example.com", "password": PASSWORD})
    assert (wrong.status_code, nobody.status_code) == (401, 401)
    assert wrong.json() == nobody.json()  # the answer does not tell which emails exist
    assert (await client.get("/me")).status_code == 401
    forged = {"Authorization": "Bearer not-a-session-token"}
    assert (await client.get("/me", headers=forged)).status_code == 401
    assert (await client.post("/carts", headers=forged)).status_code == 401
