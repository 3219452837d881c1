"""Hostile values at every public write and listing (issue 23, point 10), as one table: each
case is a call with one bad value, the field its InvalidInput must name, and the table that
must be left as it was (its rows hashed before and after)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import uuid4

import psycopg
import pytest

from shopdb.core.repository import Repository
from shopdb.errors import InvalidInput
from shopdb.models import (
    Actor,
    AddressPatch,
    NewAddress,
    NewCoupon,
    NewProduct,
    NewReview,
    NewSavedCard,
    NewSecurityEvent,
    NewVariant,
    OrderStatus,
    PaymentProvider,
    ProductPatch,
    UserPatch,
)
from tests.security.conftest import World, fingerprint
from tests.support.factories import new_user

LIMIT = 64 * 1024  # the default json_max_bytes
Call = Callable[..., Any]
"""Called with the World (a lambda binds its bad value as a default argument)."""


@dataclass(frozen=True)
class Case:
    """One bad value: what to call, the field the refusal names, the table left unchanged."""

    id: str
    call: Call
    field: str
    table: str | None


def nested(depth: int) -> dict[str, Any]:
    """A JSON object ``depth`` objects deep."""
    value: dict[str, Any] = {}
    for _ in range(depth - 1):
        value = {"k": value}
    return value


def variant(**overrides: Any) -> NewVariant:
    fields: dict[str, Any] = {"title": "Default", "sku": f"sku-{uuid4().hex[:12]}"}
    fields["price"] = Decimal("10.00")
    fields["is_primary"] = True
    return NewVariant(**{**fields, **overrides})


def product(**overrides: Any) -> NewProduct:
    fields: dict[str, Any] = {"title": "Lamp", "slug": f"lamp-{uuid4().hex[:12]}"}
    fields["price"] = Decimal("10.00")
    fields.setdefault("variants", [variant()])
    return NewProduct(**{**fields, **overrides})


def address(**overrides: Any) -> NewAddress:
    fields = {"full_name": "Ada Lovelace", "line1": "1 Main Street", "city": "Izmir"}
    return NewAddress(**{**fields, "country": "TR", **overrides})


def card(**overrides: Any) -> NewSavedCard:
    fields = {"card_token": "tok_123", "last_four_digits": "4242", "expiry_month": 12}
    return NewSavedCard(**{**fields, "expiry_year": 2030, **overrides})


def coupon(**overrides: Any) -> NewCoupon:
    return NewCoupon(**{"code": "SAVE10", "type": "FIXED_AMOUNT", "value": "5", **overrides})


def checkout(w: World, cart_id: Any = None, **overrides: Any) -> Any:
    fields: dict[str, Any] = {"shipping_address_id": w.address_id}
    fields["billing_address_id"] = w.address_id
    fields = {**fields, "idempotency_key": f"key-{uuid4().hex}", **overrides}
    return w.db.checkout.place_from_cart(w.cart_id if cart_id is None else cart_id, **fields)


def product_version(w: World) -> int:
    return w.db.products.get(w.product_id).version


EMAILS: dict[str, Any] = {
    "zero_width_space": "ad\u200bmin@example.com",
    "zero_width_joiner": "ad\u200dmin@example.com",
    "bidi_override": "ad\u202emin@example.com",
    "bidi_isolate": "ad\u2066min@example.com",
    "byte_order_mark": "\ufeffadmin@example.com",
    "soft_hyphen": "ad\u00admin@example.com",
    "control": "ad\x01min@example.com",
    "delete": "ad\x7fmin@example.com",
    "nul": "ad\x00min@example.com",
}
NOT_FINITE: dict[str, Any] = {
    "nan": Decimal("NaN"),
    "snan": Decimal("sNaN"),
    "inf": Decimal("Infinity"),
}
NOT_WHOLE: dict[str, Any] = {"fraction": 3.7, "whole_float": 2.0, "bool": True, "text": "2"}
LIMITS: dict[str, Any] = {
    "zero": 0,
    "negative": -1,
    "huge": 10**6,
    "fraction": 2.5,
    "text": "20",
    "bool": True,
}


def _cases() -> list[Case]:
    cases: list[Case] = []

    def add(id: str, call: Call, field: str, table: str | None) -> None:
        cases.append(Case(id, call, field, table))

    # --- look-alike emails --------------------------------------------------------------
    for name, email in EMAILS.items():
        add(
            f"users.create-email-{name}",
            lambda w, e=email: w.db.users.create(new_user(email=e)),
            "email",
            "users",
        )
        add(
            f"users.update-email-{name}",
            lambda w, e=email: w.db.users.update(w.user_id, UserPatch(email=e)),
            "email",
            "users",
        )

    # --- text over a column's limit -----------------------------------------------------
    long = "x" * 100_001
    add(
        "users.create-first_name-long",
        lambda w: w.db.users.create(new_user(first_name=long)),
        "first_name",
        "users",
    )
    add(
        "addresses.create-line1-long",
        lambda w: w.db.addresses.create(w.user_id, address(line1=long)),
        "line1",
        "addresses",
    )
    add(
        "addresses.update-city-long",
        lambda w: w.db.addresses.update(w.address_id, AddressPatch(city=long)),
        "city",
        "addresses",
    )
    add(
        "products.create-title-long",
        lambda w: w.db.products.create_with_variants(product(title=long)),
        "title",
        "products",
    )
    add(
        "products.create-description-long",
        lambda w: w.db.products.create_with_variants(product(description="word " * 300_000)),
        "description",
        "products",
    )
    add(
        "products.create-summary-long",
        lambda w: w.db.products.create_with_variants(product(summary=long)),
        "summary",
        "products",
    )
    add(
        "products.create-keyword-long",
        lambda w: w.db.products.create_with_variants(product(search_keywords=[long])),
        "search_keywords",
        "products",
    )
    add(
        "products.create-variant_sku-long",
        lambda w: w.db.products.create_with_variants(product(variants=[variant(sku=long)])),
        "sku",
        "product_variants",
    )
    add(
        "products.update-description-long",
        lambda w: w.db.products.update(
            w.product_id, ProductPatch(description=long), expected_version=product_version(w)
        ),
        "description",
        "products",
    )
    add(
        "coupons.create-description-long",
        lambda w: w.db.coupons.create(coupon(description=long)),
        "description",
        "coupons",
    )
    add(
        "reviews.submit-content-long",
        lambda w: w.db.reviews.submit(w.user_id, w.product_id, NewReview(rating=5, content=long)),
        "content",
        "reviews",
    )
    add(
        "carts.get_or_create_active-session_id-long",
        lambda w: w.db.carts.get_or_create_active(session_id=long),
        "session_id",
        "carts",
    )
    add(
        "payments.initiate-conversation_id-long",
        lambda w: w.db.payments.initiate(w.order_id, PaymentProvider.IYZICO, conversation_id=long),
        "conversation_id",
        "payments",
    )
    add(
        "payments.initiate-device_id-long",
        lambda w: w.db.payments.initiate(w.order_id, PaymentProvider.IYZICO, device_id=long),
        "device_id",
        "payments",
    )
    add(
        "payments.fail-reason-long",
        lambda w: w.db.payments.fail(w.payment_id, reason=long),
        "reason",
        "payments",
    )
    add(
        "payments.fail-code-long",
        lambda w: w.db.payments.fail(w.payment_id, reason="declined", code=long),
        "code",
        "payments",
    )
    add(
        "payments.refund-reason-long",
        lambda w: w.db.payments.refund(w.payment_id, Decimal("1.00"), reason=long),
        "reason",
        "payment_refunds",
    )
    add(
        "payments.refund-refund_id-long",
        lambda w: w.db.payments.refund(w.payment_id, Decimal("1.00"), refund_id=long),
        "refund_id",
        "payment_refunds",
    )
    add(
        "payments.save_card-card_holder_name-long",
        lambda w: w.db.payments.save_card(w.user_id, card(card_holder_name=long)),
        "card_holder_name",
        "saved_cards",
    )
    add(
        "security_events.record-user_agent-long",
        lambda w: w.db.security_events.record(
            NewSecurityEvent(type="LOGIN_FAILED", user_agent=long)
        ),
        "user_agent",
        "security_events",
    )
    add(
        "inventory.adjust-reason-long",
        lambda w: w.db.inventory.adjust(
            w.variant_id, 5, expected_version=1, reason=long, actor=Actor.system()
        ),
        "reason",
        "inventory",
    )

    # --- JSON over the size and nesting limits -------------------------------------------
    big = {"k": "x" * LIMIT}
    for name, payload in {"big": big, "deep": nested(17)}.items():
        add(
            f"products.create-attributes-{name}",
            lambda w, p=payload: w.db.products.create_with_variants(product(attributes=p)),
            "attributes",
            "products",
        )
        add(
            f"products.create-variant_attributes-{name}",
            lambda w, p=payload: w.db.products.create_with_variants(
                product(variants=[variant(attributes=p)])
            ),
            "attributes",
            "product_variants",
        )
        add(
            f"products.update-attributes-{name}",
            lambda w, p=payload: w.db.products.update(
                w.product_id, ProductPatch(attributes=p), expected_version=product_version(w)
            ),
            "attributes",
            "products",
        )
        add(
            f"security_events.record-payload-{name}",
            lambda w, p=payload: w.db.security_events.record(
                NewSecurityEvent(type="LOGIN_FAILED", payload=p)
            ),
            "payload",
            "security_events",
        )
        add(
            f"audit.record-after-{name}",
            lambda w, p=payload: w.db.audit.record(
                Actor.system(), "probe", "products", w.product_id, None, p
            ),
            "after",
            "audit_logs",
        )

    # --- decimals that are not finite -----------------------------------------------------
    for name, value in NOT_FINITE.items():
        add(
            f"products.create-price-{name}",
            lambda w, v=value: w.db.products.create_with_variants(product(price=v)),
            "price",
            "products",
        )
        add(
            f"products.create-variant_price-{name}",
            lambda w, v=value: w.db.products.create_with_variants(
                product(variants=[variant(price=v)])
            ),
            "price",
            "product_variants",
        )
        add(
            f"products.change_price-{name}",
            lambda w, v=value: w.db.products.change_price(
                w.product_id, v, expected_version=product_version(w), actor=Actor.system()
            ),
            "price",
            "products",
        )
        add(
            f"coupons.create-value-{name}",
            lambda w, v=value: w.db.coupons.create(coupon(value=v)),
            "value",
            "coupons",
        )
        add(
            f"coupons.create-min_order_amount-{name}",
            lambda w, v=value: w.db.coupons.create(coupon(min_order_amount=v)),
            "min_order_amount",
            "coupons",
        )
        add(
            f"payments.refund-amount-{name}",
            lambda w, v=value: w.db.payments.refund(w.payment_id, v),
            "amount",
            "payment_refunds",
        )
        add(
            f"payments.settle-paid_price-{name}",
            lambda w, v=value: w.db.payments.settle(w.payment_id, paid_price=v),
            "paid_price",
            "payments",
        )
        add(
            f"checkout.place_from_cart-tax_rate-{name}",
            lambda w, v=value: checkout(w, tax_rate=v),
            "tax_rate",
            "orders",
        )

    # --- quantities that are not whole numbers (never rounded) ----------------------------
    for name, value in NOT_WHOLE.items():
        add(
            f"carts.add_item-quantity-{name}",
            lambda w, v=value: w.db.carts.add_item(w.cart_id, w.variant_id, v),
            "quantity",
            "cart_items",
        )
        add(
            f"carts.set_quantity-{name}",
            lambda w, v=value: w.db.carts.set_quantity(w.cart_id, w.variant_id, v),
            "quantity",
            "cart_items",
        )
        add(
            f"inventory.reserve-{name}",
            lambda w, v=value: w.db.inventory.reserve(w.variant_id, v),
            "quantity",
            "inventory",
        )
        add(
            f"inventory.restock-{name}",
            lambda w, v=value: w.db.inventory.restock(w.variant_id, v),
            "quantity",
            "inventory",
        )
        add(
            f"inventory.adjust-{name}",
            lambda w, v=value: w.db.inventory.adjust(
                w.variant_id, v, expected_version=1, reason="count", actor=Actor.system()
            ),
            "quantity_on_hand",
            "inventory",
        )
        add(
            f"products.create-quantity_on_hand-{name}",
            lambda w, v=value: w.db.products.create_with_variants(
                product(variants=[variant(quantity_on_hand=v)])
            ),
            "quantity_on_hand",
            "products",
        )
        add(
            f"reviews.submit-rating-{name}",
            lambda w, v=value: w.db.reviews.submit(w.user_id, w.product_id, NewReview(rating=v)),
            "rating",
            "reviews",
        )
        add(
            f"payments.initiate-installment-{name}",
            lambda w, v=value: w.db.payments.initiate(
                w.order_id, PaymentProvider.IYZICO, installment=v
            ),
            "installment",
            "payments",
        )
        add(
            f"payments.save_card-expiry_month-{name}",
            lambda w, v=value: w.db.payments.save_card(w.user_id, card(expiry_month=v)),
            "expiry_month",
            "saved_cards",
        )
        add(
            f"coupons.create-usage_limit-{name}",
            lambda w, v=value: w.db.coupons.create(coupon(usage_limit=v)),
            "usage_limit",
            "coupons",
        )

    # --- strings for ids ---------------------------------------------------------------------
    bad: Any = "1; DROP TABLE users"
    add(
        "users.update-id-text",
        lambda w: w.db.users.update(bad, UserPatch(first_name="Ada")),
        "user_id",
        "users",
    )
    add(
        "addresses.create-user_id-text",
        lambda w: w.db.addresses.create(bad, address()),
        "user_id",
        "addresses",
    )
    add(
        "carts.add_item-cart_id-text",
        lambda w: w.db.carts.add_item(bad, w.variant_id),
        "cart_id",
        "cart_items",
    )
    add(
        "carts.add_item-variant_id-text",
        lambda w: w.db.carts.add_item(w.cart_id, bad),
        "product_variant_id",
        "cart_items",
    )
    add(
        "carts.set_quantity-variant_id-text",
        lambda w: w.db.carts.set_quantity(w.cart_id, bad, 2),
        "product_variant_id",
        "cart_items",
    )
    add(
        "checkout.place_from_cart-cart_id-text",
        lambda w: checkout(w, cart_id=bad),
        "cart_id",
        "orders",
    )
    add(
        "checkout.place_from_cart-address-text",
        lambda w: checkout(w, shipping_address_id=bad),
        "shipping_address_id",
        "orders",
    )
    add(
        "payments.initiate-order_id-text",
        lambda w: w.db.payments.initiate(bad, PaymentProvider.IYZICO),
        "order_id",
        "payments",
    )
    add(
        "payments.refund-payment_id-text",
        lambda w: w.db.payments.refund(bad, Decimal("1.00")),
        "payment_id",
        "payment_refunds",
    )
    add(
        "payments.save_card-user_id-text",
        lambda w: w.db.payments.save_card(bad, card()),
        "user_id",
        "saved_cards",
    )
    add(
        "products.update-product_id-text",
        lambda w: w.db.products.update(bad, ProductPatch(title="Lamp"), expected_version=1),
        "product_id",
        "products",
    )
    add(
        "products.change_price-product_id-text",
        lambda w: w.db.products.change_price(
            bad, Decimal("1.00"), expected_version=1, actor=Actor.system()
        ),
        "product_id",
        "products",
    )
    add(
        "inventory.reserve-variant_id-text",
        lambda w: w.db.inventory.reserve(bad, 1),
        "variant_id",
        "inventory",
    )
    add(
        "inventory.restock-variant_id-text",
        lambda w: w.db.inventory.restock(bad, 1),
        "variant_id",
        "inventory",
    )
    add(
        "reviews.submit-product_id-text",
        lambda w: w.db.reviews.submit(w.user_id, bad, NewReview(rating=5)),
        "product_id",
        "reviews",
    )
    add(
        "security_events.record-user_id-text",
        lambda w: w.db.security_events.record(NewSecurityEvent(type="LOGIN_FAILED", user_id=bad)),
        "user_id",
        "security_events",
    )
    return cases


def _listings() -> dict[str, Callable[[World, str, Any], Any]]:
    """Each listing that takes a page size -> a call of it with that size."""
    return {
        "users.list_users": lambda w, k, v: w.db.users.list_users(**{k: v}),
        "orders.list_for_user": lambda w, k, v: w.db.orders.list_for_user(w.user_id, **{k: v}),
        "orders.list_by_status": lambda w, k, v: w.db.orders.list_by_status(
            OrderStatus.PENDING, **{k: v}
        ),
        "products.list_active": lambda w, k, v: w.db.products.list_active(**{k: v}),
        "products.list_active_with_details": lambda w, k, v: w.db.products.list_active_with_details(
            **{k: v}
        ),
        "products.list_page": lambda w, k, v: w.db.products.list_page(**{k: v}),
        "products.search": lambda w, k, v: w.db.products.search("lamp", **{k: v}),
        "reviews.list_approved": lambda w, k, v: w.db.reviews.list_approved(w.product_id, **{k: v}),
        "security_events.list_for_user": lambda w, k, v: w.db.security_events.list_for_user(
            w.user_id, **{k: v}
        ),
        "security_events.list_by_type": lambda w, k, v: w.db.security_events.list_by_type(
            "LOGIN_FAILED", **{k: v}
        ),
        "audit.history": lambda w, k, v: w.db.audit.history("products", w.product_id, **{k: v}),
        "inventory.low_stock": lambda w, k, v: w.db.inventory.low_stock(**{k: v}),
        "api_keys.list_for_user": lambda w, k, v: w.db.api_keys.list_for_user(w.user_id, **{k: v}),
        "access.users_with_role": lambda w, k, v: w.db.access.users_with_role(uuid4(), **{k: v}),
        "categories.products_in": lambda w, k, v: w.db.categories.products_in(uuid4(), **{k: v}),
        "collections.list_products": lambda w, k, v: w.db.collections.list_products(
            uuid4(), **{k: v}
        ),
        "sessions.list_for_user": lambda w, k, v: w.db.sessions.list_for_user(w.user_id, **{k: v}),
        "collections.list_collections": lambda w, k, v: w.db.collections.list_collections(**{k: v}),
        "coupons.list_coupons": lambda w, k, v: w.db.coupons.list_coupons(**{k: v}),
        "notifications.list_for_user": lambda w, k, v: w.db.notifications.list_for_user(
            w.user_id, **{k: v}
        ),
        "notifications.consume_events": lambda w, k, v: w.db.notifications.consume_events(**{k: v}),
        "events.next_batch": lambda w, k, v: w.db.events.next_batch("webhooks", **{k: v}),
        "webhooks.claim": lambda w, k, v: w.db.webhooks.claim(lease_s=60, **{k: v}),
        "webhooks.fan_out_events": lambda w, k, v: w.db.webhooks.fan_out_events(**{k: v}),
        "webhooks.dispatch": lambda w, k, v: w.db.webhooks.dispatch(**{k: v}),
        "cart_recovery.candidates": lambda w, k, v: w.db.cart_recovery.candidates(**{k: v}),
        "cart_recovery.remind": lambda w, k, v: w.db.cart_recovery.remind(**{k: v}),
    }


def _size_parameter(name: str) -> str:
    namespace, method = name.split(".")
    owner = next(c for c in _repositories() if c.namespace == namespace)
    return (
        "per_page"
        if "per_page" in inspect.signature(getattr(owner, method)).parameters
        else "limit"
    )


def _repositories() -> list[type[Repository]]:
    found, todo = [], list(Repository.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("shopdb.repositories.") and hasattr(cls, "namespace"):
            found.append(cls)
    return found


def _listing_cases() -> list[Case]:
    cases = []
    for name, call in _listings().items():
        size = _size_parameter(name)
        for label, value in LIMITS.items():
            cases.append(
                Case(
                    f"{name}-{size}-{label}",
                    lambda w, c=call, s=size, v=value: c(w, s, v),
                    size,
                    None,
                )
            )
    for label, value in {"zero": 0, "fraction": 2.5, "text": "2", "bool": True}.items():
        cases.append(
            Case(
                f"products.list_page-page-{label}",
                lambda w, v=value: w.db.products.list_page(page=v),
                "page",
                None,
            )
        )
    return cases


CASES = _cases() + _listing_cases()


def _names_field(error: InvalidInput, field: str) -> bool:
    named = {part for e in error.errors for part in e["field"].split(".")}
    return field in named or field in str(error)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_a_hostile_value_is_invalid_input_naming_its_field_and_writes_nothing(
    case: Case, world: World, conn: psycopg.Connection[Any]
) -> None:
    before = fingerprint(conn, case.table) if case.table else None
    with pytest.raises(InvalidInput) as refused:
        case.call(world)
    assert _names_field(refused.value, case.field), (str(refused.value), refused.value.errors)
    if case.table:
        assert fingerprint(conn, case.table) == before


def test_every_listing_that_takes_a_page_size_is_in_the_table() -> None:
    sized = {
        f"{cls.namespace}.{name}"
        for cls in _repositories()
        for name, method in inspect.getmembers(cls, inspect.isfunction)
        if not name.startswith("_")
        and {"limit", "per_page"} & set(inspect.signature(method).parameters)
    }
    assert sized <= set(_listings()), sorted(sized - set(_listings()))
