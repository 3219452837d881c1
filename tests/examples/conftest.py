"""The example shop (examples/shop) over an AsyncDatabase on the test's own migrated database
(tests/conftest.py: ``settings``), driven through httpx's ASGI transport: requests go to the
app in-process, no server, no port."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

import httpx
import pytest

from examples.shop import create_app, passwords
from shopdb import AsyncDatabase, Settings
from shopdb.models import (
    CouponType,
    NewCategory,
    NewCoupon,
    NewProduct,
    NewVariant,
    ProductStatus,
)

LAMP, SHADE = Decimal("249.90"), Decimal("39.50")
PASSWORD = "correct horse battery"


@pytest.fixture
def anyio_backend() -> str:
    """psycopg's async API runs on asyncio."""
    return "asyncio"


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """scrypt at n = 2**10 instead of 2**14: the hashes are still real and still checked
    (the stored cost travels in the hash), but a test's logins take milliseconds."""
    monkeypatch.setattr(passwords, "LOG2_N", 10)


@dataclass(frozen=True, slots=True)
class Catalog:
    """What the shop sells in these tests."""

    home_id: UUID
    lamp_id: UUID
    brass_id: UUID
    """LAMP-BRASS, 10 on hand."""
    shade_id: UUID
    """LAMP-SHADE, 5 on hand."""


@pytest.fixture
async def adb(settings: Settings) -> AsyncIterator[AsyncDatabase]:
    """An open AsyncDatabase on this test's own database."""
    async with AsyncDatabase(settings) as database:
        yield database


@pytest.fixture
async def catalog(adb: AsyncDatabase) -> Catalog:
    """The shop's side, written through the staff repositories: a category tree, a lamp in
    two variants, a coupon."""
    home = await adb.categories.create(NewCategory(name="Home", slug="home"))
    lighting = await adb.categories.create(
        NewCategory(name="Lighting", slug="lighting", parent_id=home.id)
    )
    lamp = await adb.products.create_with_variants(
        NewProduct(
            title="Brass Desk Lamp",
            slug="brass-desk-lamp",
            status=ProductStatus.ACTIVE,
            price=LAMP,
            category_ids=[lighting.id],
            variants=[
                NewVariant(title="Brass", sku="LAMP-BRASS", price=LAMP, is_primary=True,
                           quantity_on_hand=10),
                NewVariant(title="Spare shade", sku="LAMP-SHADE", price=SHADE,
                           quantity_on_hand=5),
            ],
        )
    )  # fmt: skip
    await adb.coupons.create(
        NewCoupon(code="WELCOME10", type=CouponType.PERCENTAGE, value=Decimal(10))
    )
    sku = {variant.sku: variant.id for variant in lamp.variants}
    return Catalog(home.id, lamp.product.id, sku["LAMP-BRASS"], sku["LAMP-SHADE"])


@pytest.fixture
async def client(adb: AsyncDatabase) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of the shop, in-process (httpx.ASGITransport)."""
    transport = httpx.ASGITransport(app=create_app(database=adb))
    async with httpx.AsyncClient(transport=transport, base_url="http://shop.test") as http:
        yield http


@dataclass(frozen=True, slots=True)
class Customer:
    """A registered, logged-in customer: their id, their Authorization header, an address."""

    user_id: UUID
    auth: dict[str, str]
    address_id: UUID


async def sign_up(client: httpx.AsyncClient, email: str) -> Customer:
    """Register, log in and add an address through the API; fails the test on any refusal."""
    registered = await client.post("/accounts", json={"email": email, "password": PASSWORD})
    assert registered.status_code == 201, registered.text
    login = await client.post("/sessions", json={"email": email, "password": PASSWORD})
    assert login.status_code == 201, login.text
    auth = {"Authorization": f"Bearer {login.json()['token']}"}
    address = await client.post(
        "/addresses",
        headers=auth,
        json={"full_name": "Ada Lovelace", "line1": "1 Main St", "city": "Istanbul",
              "country": "TR"},
    )  # fmt: skip
    assert address.status_code == 201, address.text
    return Customer(UUID(registered.json()["id"]), auth, UUID(address.json()["id"]))


async def filled_cart(
    client: httpx.AsyncClient, customer: Customer, lines: dict[UUID, int]
) -> UUID:
    """The customer's active cart with ``lines`` (variant -> quantity) added."""
    opened = await client.post("/carts", headers=customer.auth)
    assert opened.status_code == 201, opened.text
    cart_id = UUID(opened.json()["id"])
    for variant_id, quantity in lines.items():
        added = await client.post(
            f"/carts/{cart_id}/items",
            headers=customer.auth,
            json={"product_variant_id": str(variant_id), "quantity": quantity},
        )
        assert added.status_code == 201, added.text
    return cart_id


def checkout_body(customer: Customer, coupon: str | None = None) -> dict[str, str | None]:
    """The checkout's body: the customer's address for shipping and billing."""
    address = str(customer.address_id)
    return {"shipping_address_id": address, "billing_address_id": address, "coupon_code": coupon}
