"""Every operation of shopdb.audit_list.AUDITED, run through the public API: one audit entry
of its (entity, action) with the actor and the state before and after, in the transaction of
the change, so a rolled-back change leaves none."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any
from uuid import UUID, uuid4

import pytest

from shopdb.audit_list import AUDITED, NOT_YET, AuditedOperation
from shopdb.models import (
    CategoryPatch,
    CategoryRename,
    CollectionPatch,
    CouponPatch,
    CouponType,
    NewCategory,
    NewCollection,
    NewCoupon,
    OrderStatus,
    PaymentProvider,
    UserPatch,
    VariantPatch,
)
from shopdb.models.audit import Actor, ActorType, AuditEntry
from shopdb.transaction import Transaction
from tests.schema.rows import Rows

Expected = dict[str, Any] | None
Outcome = tuple[object, Expected, Expected]
"""The entity id the entry names, and what its before and after hold (None: no state)."""
Case = Callable[[Transaction, Rows, Actor | None], Outcome]


def _tag() -> str:
    return uuid4().hex[:10]


def _order_status(tx: Transaction, rows: Rows, actor: Actor | None) -> Outcome:
    order_id = rows.id("orders")
    version = tx.orders.get(order_id).order.version
    tx.fulfilment.change_status(order_id, OrderStatus.CANCELLED, version, actor=actor)
    return (order_id, {"status": "PENDING", "version": version},
            {"status": "CANCELLED", "version": version + 1})  # fmt: skip


def _expire(tx: Transaction, rows: Rows, actor: Actor | None, *, via: str) -> Outcome:
    # The deferred subtotal rule (0016) is judged at COMMIT, which this rolled-back test never
    # reaches: an order without items is enough to be expired.
    order_id = rows.id("orders", created_at=datetime.now(UTC) - timedelta(hours=2))
    unit = tx.fulfilment if via == "fulfilment" else tx.orders
    assert unit.expire_unpaid(timedelta(hours=1), actor=actor) == 1
    return order_id, {"status": "PENDING"}, {"status": "CANCELLED"}


def _settle(tx: Transaction, rows: Rows, actor: Actor | None) -> Outcome:
    payment = tx.payments.initiate(rows.id("orders"), PaymentProvider.IYZICO)
    tx.settlement.settle(payment.id, actor=actor)
    return payment.id, {"status": "INITIATED"}, {"status": "SETTLED", "paid_price": "108.00"}


def _settle_order(tx: Transaction, rows: Rows, actor: Actor | None) -> Outcome:
    order_id = rows.id("orders")
    payment = tx.payments.initiate(order_id, PaymentProvider.IYZICO)
    tx.settlement.settle(payment.id, actor=actor)
    return order_id, {"status": "PENDING"}, {"status": "PAID"}


def _fail(tx: Transaction, rows: Rows, actor: Actor | None) -> Outcome:
    payment = tx.payments.initiate(rows.id("orders"), PaymentProvider.IYZICO)
    tx.payments.fail(payment.id, reason="card declined", actor=actor)
    return payment.id, {"status": "INITIATED"}, {"status": "FAILED"}


def _refund(tx: Transaction, rows: Rows, actor: Actor | None) -> Outcome:
    payment = tx.payments.initiate(rows.id("orders"), PaymentProvider.IYZICO)
    tx.settlement.settle(payment.id)
    tx.payments.refund(payment.id, Decimal("10.00"), actor=actor)
    return (payment.id, {"status": "SETTLED", "refunded": "0"},
            {"status": "SETTLED", "refunded": "10.00"})  # fmt: skip


def _product_price(tx: Transaction, rows: Rows, actor: Actor | None) -> Outcome:
    product = tx.products.get(rows.id("products"))
    price = Decimal("12.34")
    tx.products.change_price(
        product.id, price, expected_version=product.version, actor=actor or Actor.system()
    )
    return product.id, {"price": str(product.price)}, {"price": "12.34"}


def _variant_price(tx: Transaction, rows: Rows, actor: Actor | None) -> Outcome:
    variant = tx.products.get_variant(rows.id("product_variants"))
    tx.products.change_variant_price(variant.id, Decimal("7.77"), actor=actor)
    return variant.id, {"price": str(variant.price)}, {"price": "7.77"}


def _variant_patch_price(tx: Transaction, rows: Rows, actor: Actor | None) -> Outcome:
    variant = tx.products.get_variant(rows.id("product_variants"))
    tx.products.update_variant(variant.id, VariantPatch(price=Decimal("8.88")), actor=actor)
    return variant.id, {"price": str(variant.price)}, {"price": "8.88"}


def _new_coupon(tx: Transaction, actor: Actor | None) -> UUID:
    new = NewCoupon(code=f"AUDIT-{_tag()}".upper(), type=CouponType.PERCENTAGE, value=10)
    return tx.coupons.create(new, actor=actor).id


def _coupon_create(tx: Transaction, rows: Rows, actor: Actor | None) -> Outcome:
    return _new_coupon(tx, actor), None, {"is_active": True, "value": "10"}


def _coupon_deactivate(tx: Transaction, rows: Rows, actor: Actor | None) -> Outcome:
    coupon_id = _new_coupon(tx, None)
    code = tx.connection.execute("SELECT code FROM coupons WHERE id = %s", [coupon_id]).fetchone()
    assert code is not None
    tx.coupons.deactivate(code[0], actor=actor)
    return coupon_id, {"is_active": True}, {"is_active": False}


def _coupon_update(tx: Transaction, rows: Rows, actor: Actor | None) -> Outcome:
    coupon_id = _new_coupon(tx, None)
    code = tx.connection.execute("SELECT code FROM coupons WHERE id = %s", [coupon_id]).fetchone()
    assert code is not None
    tx.coupons.update(code[0], CouponPatch(value=Decimal("15"), per_user_limit=1), actor=actor)
    return (coupon_id, {"value": "10", "per_user_limit": None},
            {"value": "15", "per_user_limit": 1})  # fmt: skip


def _review_delete(tx: Transaction, rows: Rows, actor: Actor | None) -> Outcome:
    review_id = rows.id("reviews")
    tx.reviews.delete(review_id, actor=actor)
    return review_id, {"status": "PENDING"}, None


def _approve(tx: Transaction, rows: Rows, actor: Actor | None) -> Outcome:
    review_id = rows.id("reviews")
    tx.reviews.approve(review_id, actor=actor)
    return review_id, {"status": "PENDING"}, {"status": "APPROVED"}


def _reject(tx: Transaction, rows: Rows, actor: Actor | None) -> Outcome:
    review_id = rows.id("reviews")
    tx.reviews.reject(review_id, actor=actor)
    return review_id, {"status": "PENDING"}, {"status": "REJECTED"}


def _category_create(tx: Transaction, rows: Rows, actor: Actor | None) -> Outcome:
    slug = f"audited-{_tag()}"
    created = tx.categories.create(NewCategory(name="Audited", slug=slug), actor=actor)
    return created.id, None, {"slug": slug, "parent_id": None}


def _category_move(tx: Transaction, rows: Rows, actor: Actor | None) -> Outcome:
    category_id, parent_id = rows.id("categories"), rows.id("categories")
    tx.categories.move(category_id, parent_id, actor=actor)
    return category_id, {"parent_id": None}, {"parent_id": str(parent_id)}


def _category_rename(tx: Transaction, rows: Rows, actor: Actor | None) -> Outcome:
    category = tx.categories.get(rows.id("categories"))
    tx.categories.rename(category.id, CategoryRename(name="Renamed"), actor=actor)
    return category.id, {"name": category.name}, {"name": "Renamed"}


def _category_update(tx: Transaction, rows: Rows, actor: Actor | None) -> Outcome:
    category = tx.categories.get(rows.id("categories"))
    tx.categories.update(category.id, CategoryPatch(description="Lamps and more"), actor=actor)
    return category.id, {"description": category.description}, {"description": "Lamps and more"}


def _category_delete(tx: Transaction, rows: Rows, actor: Actor | None) -> Outcome:
    category = tx.categories.get(rows.id("categories"))
    tx.categories.delete(category.id, actor=actor)
    return category.id, {"slug": category.slug}, None


def _collection_reorder(tx: Transaction, rows: Rows, actor: Actor | None) -> Outcome:
    collection_id = rows.id("collections")
    first, second = rows.id("products"), rows.id("products")
    tx.collections.add_product(collection_id, first)
    tx.collections.add_product(collection_id, second)
    tx.collections.reorder(collection_id, [second, first], actor=actor)
    return (collection_id, {"product_ids": [str(first), str(second)]},
            {"product_ids": [str(second), str(first)]})  # fmt: skip


def _collection_update(tx: Transaction, rows: Rows, actor: Actor | None) -> Outcome:
    collection = tx.collections.get(rows.id("collections"))
    tx.collections.update(collection.id, CollectionPatch(name="Renamed"), actor=actor)
    return collection.id, {"name": collection.name}, {"name": "Renamed"}


def _collection_delete(tx: Transaction, rows: Rows, actor: Actor | None) -> Outcome:
    collection = tx.collections.get(rows.id("collections"))
    tx.collections.delete(collection.id, actor=actor)
    return collection.id, {"slug": collection.slug}, None


def _collection_create(tx: Transaction, rows: Rows, actor: Actor | None) -> Outcome:
    slug = f"audited-{_tag()}"
    created = tx.collections.create(NewCollection(name="Audited", slug=slug), actor=actor)
    return created.id, None, {"slug": slug}


def _collection_add(tx: Transaction, rows: Rows, actor: Actor | None) -> Outcome:
    collection_id, product_id = rows.id("collections"), rows.id("products")
    tx.collections.add_product(collection_id, product_id, actor=actor)
    return collection_id, None, {"product_id": str(product_id)}


def _collection_remove(tx: Transaction, rows: Rows, actor: Actor | None) -> Outcome:
    collection_id, product_id = rows.id("collections"), rows.id("products")
    tx.collections.add_product(collection_id, product_id)
    tx.collections.remove_product(collection_id, product_id, actor=actor)
    return collection_id, {"product_id": str(product_id)}, None


def _email_change(tx: Transaction, rows: Rows, actor: Actor | None) -> Outcome:
    user_id = rows.id("users")
    tx.users.update(user_id, UserPatch(email=f"moved-{_tag()}@example.com"), actor=actor)
    return user_id, {"email_changed": False}, {"email_verified": False, "email_changed": True}


def _erase(tx: Transaction, rows: Rows, actor: Actor | None) -> Outcome:
    user_id = rows.id("users")
    tx.users.erase(user_id, actor or Actor.system())
    return user_id, None, None  # the fact alone: no erased value is kept in the log


_HOOK = "https://hooks.example.com/shop"


def _endpoint_add(tx: Transaction, rows: Rows, actor: Actor | None) -> Outcome:
    added = tx.webhooks.add_endpoint(_HOOK, ["order.paid"], "whsec-" + _tag() * 2, actor=actor)
    return added.id, None, {"url": _HOOK, "event_types": ["order.paid"], "active": True}


def _endpoint_deactivate(tx: Transaction, rows: Rows, actor: Actor | None) -> Outcome:
    added = tx.webhooks.add_endpoint(_HOOK, ["order.paid"], "whsec-" + _tag() * 2)
    tx.webhooks.deactivate_endpoint(added.id, actor=actor)
    return added.id, {"active": True}, {"active": False}


def _endpoint_activate(tx: Transaction, rows: Rows, actor: Actor | None) -> Outcome:
    added = tx.webhooks.add_endpoint(_HOOK, ["order.paid"], "whsec-" + _tag() * 2)
    tx.webhooks.deactivate_endpoint(added.id)
    tx.webhooks.activate_endpoint(added.id, actor=actor)
    return added.id, {"active": False}, {"active": True}


CASES: dict[tuple[str, str, str], Case] = {
    ("fulfilment.change_status", "orders", "change_status"): _order_status,
    ("fulfilment.expire_unpaid", "orders", "expire"): partial(_expire, via="fulfilment"),
    ("orders.expire_unpaid", "orders", "expire"): partial(_expire, via="orders"),
    ("settlement.settle", "payments", "settle"): _settle,
    ("settlement.settle", "orders", "change_status"): _settle_order,
    ("payments.fail", "payments", "fail"): _fail,
    ("payments.refund", "payments", "refund"): _refund,
    ("products.change_price", "products", "change_price"): _product_price,
    ("products.change_variant_price", "products", "change_variant_price"): _variant_price,
    ("products.update_variant", "products", "change_variant_price"): _variant_patch_price,
    ("coupons.create", "coupons", "create"): _coupon_create,
    ("coupons.deactivate", "coupons", "deactivate"): _coupon_deactivate,
    ("coupons.update", "coupons", "update"): _coupon_update,
    ("reviews.approve", "reviews", "approve"): _approve,
    ("reviews.reject", "reviews", "reject"): _reject,
    ("reviews.delete", "reviews", "delete"): _review_delete,
    ("categories.create", "categories", "create"): _category_create,
    ("categories.move", "categories", "move"): _category_move,
    ("categories.rename", "categories", "rename"): _category_rename,
    ("categories.update", "categories", "update"): _category_update,
    ("categories.delete", "categories", "delete"): _category_delete,
    ("collections.create", "collections", "create"): _collection_create,
    ("collections.add_product", "collections", "add_product"): _collection_add,
    ("collections.remove_product", "collections", "remove_product"): _collection_remove,
    ("collections.reorder", "collections", "reorder"): _collection_reorder,
    ("collections.update", "collections", "update"): _collection_update,
    ("collections.delete", "collections", "delete"): _collection_delete,
    ("users.update", "users", "change_email"): _email_change,
    ("users.erase", "users", "erase"): _erase,
    ("webhooks.add_endpoint", "webhook_endpoints", "add_endpoint"): _endpoint_add,
    ("webhooks.deactivate_endpoint", "webhook_endpoints", "deactivate_endpoint"): (
        _endpoint_deactivate
    ),
    ("webhooks.activate_endpoint", "webhook_endpoints", "activate_endpoint"): _endpoint_activate,
}


def _case(op: AuditedOperation) -> Case:
    return CASES[(op.name, op.entity, op.action)]


def _entries(tx: Transaction, op: AuditedOperation, entity_id: object) -> list[AuditEntry]:
    entries = tx.audit.history(op.entity, entity_id, limit=50).items
    return [entry for entry in entries if entry.action == op.action]


def _holds(state: dict[str, Any] | None, expected: Expected) -> bool:
    if expected is None or state is None:
        return state is expected
    return all(_same(state.get(key), value) for key, value in expected.items())


def _same(stored: object, expected: object) -> bool:
    if isinstance(expected, str) and isinstance(stored, str | int | float):
        try:
            return Decimal(str(stored)) == Decimal(expected)
        except ArithmeticError:
            return str(stored) == expected
    return stored == expected


def _name(op: AuditedOperation) -> str:
    return f"{op.name}:{op.entity}/{op.action}"


def test_every_audited_operation_has_a_case_and_nothing_else() -> None:
    assert set(CASES) == {(op.name, op.entity, op.action) for op in AUDITED}
    assert not {op.name for op in AUDITED} & set(NOT_YET)


@pytest.mark.parametrize("op", AUDITED, ids=_name)
def test_the_operation_records_one_entry_with_its_actor_before_and_after(
    tx: Transaction, op: AuditedOperation
) -> None:
    rows = Rows(tx.connection)
    admin = Actor.admin(rows.id("users"))
    entity_id, before, after = _case(op)(tx, rows, admin)
    entries = _entries(tx, op, entity_id)
    assert len(entries) == 1, entries
    entry = entries[0]
    assert (entry.actor_type, entry.user_id) == (ActorType.ADMIN, admin.user_id)
    assert entry.entity_id == str(entity_id)
    assert _holds(entry.before, before), entry.before
    assert _holds(entry.after, after), entry.after


@pytest.mark.parametrize("op", AUDITED, ids=_name)
def test_a_rolled_back_change_leaves_no_entry(tx: Transaction, op: AuditedOperation) -> None:
    rows = Rows(tx.connection)
    admin = Actor.admin(rows.id("users"))
    outcome: list[object] = []
    with pytest.raises(_Undo), tx.savepoint():
        outcome.append(_case(op)(tx, rows, admin)[0])
        raise _Undo
    assert _entries(tx, op, outcome[0]) == []


@pytest.mark.parametrize("op", [op for op in AUDITED if op.name != "products.change_price"],
                         ids=_name)  # fmt: skip
def test_without_an_actor_the_system_is_recorded(tx: Transaction, op: AuditedOperation) -> None:
    entity_id, _, _ = _case(op)(tx, Rows(tx.connection), None)
    (entry,) = _entries(tx, op, entity_id)
    assert (entry.actor_type, entry.user_id) == (ActorType.SYSTEM, None)


class _Undo(Exception):
    """Raised inside a savepoint to roll the change back."""
