"""The back office's coupon operations against a real PostgreSQL: update of the terms, the
listing, and the per-user usage limit (coupons.per_user_limit) held by the database, also
when checkouts of one user race for it."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from shopdb import Database, Transaction
from shopdb.errors import (
    ConstraintViolation,
    CouponLimitBelowUsage,
    CouponRefusal,
    CouponUnavailable,
    CouponUserLimitReached,
    InvalidCursor,
    InvalidInput,
    NotFoundError,
)
from shopdb.models import CartLine, Coupon, CouponPatch, NewCoupon, OrderWithItems
from tests.repositories.fixture_orders import checkout_of, new_shop
from tests.schema.rows import Rows
from tests.support.factories import new_user

D = Decimal


def new_coupon(**overrides: Any) -> NewCoupon:
    values: dict[str, Any] = {"code": f"C{uuid4().hex[:10]}", "type": "FIXED_AMOUNT", "value": 10}
    values.update(overrides)
    return NewCoupon.model_validate(values)


def usages(tx: Transaction, coupon: Coupon) -> int:
    row = tx.connection.execute(
        "SELECT count(*) FROM coupon_usages WHERE coupon_id = %s", [coupon.id]
    ).fetchone()
    assert row is not None
    return int(row[0])


# --- update -----------------------------------------------------------------------------------


def test_update_changes_only_the_terms_given(tx: Transaction) -> None:
    coupon = tx.coupons.create(new_coupon(description="Spring", min_order_amount=D("20")))

    updated = tx.coupons.update(
        coupon.code.lower(), CouponPatch(value=D("12.50"), min_order_amount=None, usage_limit=5)
    )

    assert (updated.value, updated.min_order_amount, updated.usage_limit) == (D("12.50"), None, 5)
    assert (updated.description, updated.code, updated.type) == ("Spring", coupon.code, coupon.type)
    assert tx.coupons.get_by_code(coupon.code) == updated


def test_a_usage_limit_below_the_uses_so_far_is_refused_and_nothing_changes(
    tx: Transaction,
) -> None:
    coupon = tx.coupons.create(new_coupon(usage_limit=5))
    rows = Rows(tx.connection)
    for _ in range(2):
        rows.insert("coupon_usages", coupon_id=coupon.id)

    with pytest.raises(CouponLimitBelowUsage):
        tx.coupons.update(coupon.code, CouponPatch(usage_limit=1, value=D("99")))

    stored = tx.coupons.get_by_code(coupon.code)
    assert (stored.usage_limit, stored.value) == (5, coupon.value)
    assert tx.coupons.update(coupon.code, CouponPatch(usage_limit=2)).usage_limit == 2


def test_terms_the_schema_refuses_are_a_constraint_violation(tx: Transaction) -> None:
    coupon = tx.coupons.create(new_coupon(type="PERCENTAGE", value=D("10")))

    with pytest.raises(ConstraintViolation) as caught:
        tx.coupons.update(coupon.code, CouponPatch(value=D("150")))

    assert caught.value.constraint == "coupons_value_percentage_check"
    assert tx.coupons.get_by_code(coupon.code).value == D("10")


def test_update_of_an_unknown_code_is_not_found(tx: Transaction) -> None:
    with pytest.raises(NotFoundError):
        tx.coupons.update("NO-SUCH-CODE", CouponPatch(value=D("1")))


@pytest.mark.parametrize(
    "fields",
    [
        {"value": None},
        {"value": "-1"},
        {"usage_limit": 0},
        {"per_user_limit": -2},
        {"code": "NEW-CODE"},
        {"type": "PERCENTAGE"},
        {"is_active": False},
    ],
)
def test_coupon_patch_refuses_bad_input(fields: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        CouponPatch.model_validate(fields)


# --- list_coupons -----------------------------------------------------------------------------


def test_list_coupons_pages_newest_first_and_filters_on_activity(tx: Transaction) -> None:
    made = [tx.coupons.create(new_coupon()) for _ in range(3)]
    tx.coupons.deactivate(made[1].code)

    first = tx.coupons.list_coupons(limit=2)
    second = tx.coupons.list_coupons(limit=2, cursor=first.next_cursor)
    inactive = tx.coupons.list_coupons(is_active=False)
    active = tx.coupons.list_coupons(is_active=True)

    ours = {c.id for c in made}
    listed = [c.id for c in [*first.items, *second.items] if c.id in ours]
    assert listed == [c.id for c in reversed(made)]
    assert [c.id for c in inactive.items if c.id in ours] == [made[1].id]
    assert [c.id for c in active.items if c.id in ours] == [made[2].id, made[0].id]
    with pytest.raises(InvalidCursor):
        tx.coupons.list_coupons(is_active=True, cursor=first.next_cursor)


# --- the per-user limit -----------------------------------------------------------------------


def test_validate_refuses_a_user_who_used_the_coupon_as_often_as_it_allows(
    tx: Transaction,
) -> None:
    coupon = tx.coupons.create(new_coupon(per_user_limit=1))
    ada, bob = (tx.users.create(new_user()).id for _ in range(2))
    Rows(tx.connection).insert("coupon_usages", coupon_id=coupon.id, user_id=ada)

    with pytest.raises(CouponUserLimitReached) as caught:
        tx.coupons.validate(coupon.code, ada, D("100"))

    assert caught.value.reason is CouponRefusal.PER_USER_LIMIT_REACHED
    assert isinstance(caught.value, CouponUnavailable)
    assert tx.coupons.validate(coupon.code, bob, D("100")) == D("10.00")
    assert tx.coupons.validate(coupon.code, None, D("100")) == D("10.00")


def test_the_database_refuses_a_usage_past_the_per_user_limit(tx: Transaction) -> None:
    coupon = tx.coupons.create(new_coupon(per_user_limit=2))
    user_id = tx.users.create(new_user()).id
    rows = Rows(tx.connection)
    for _ in range(2):
        rows.insert("coupon_usages", coupon_id=coupon.id, user_id=user_id)

    order_id = rows.id("orders", user_id=user_id)
    with pytest.raises(CouponUserLimitReached) as caught, tx.savepoint():
        tx.coupons.record_usage(coupon.code, user_id, order_id, D("10.00"))

    assert caught.value.constraint == "coupon_usages_per_user_limit_check"
    assert usages(tx, coupon) == 2
    assert tx.coupons.get_by_code(coupon.code).usage_count == 2


def test_concurrent_checkouts_of_one_user_redeem_a_one_per_user_coupon_exactly_once(
    db: Database,
) -> None:
    """N checkouts of one user, each of its own cart and its own product (so that no other
    lock orders them: only the coupon's), with a coupon of one use per user: one order, N - 1
    CouponUserLimitReached, one usage. The schema keeps one ACTIVE cart per user
    (carts_user_id_active_key); N checkouts of one user at once need N carts, so this test's
    own database drops that index first. The coupon rule does not rely on it."""
    n = 6
    with db.transaction() as tx:
        shops = [new_shop(tx, tx.connection) for _ in range(n)]
        coupon = tx.coupons.create(new_coupon(per_user_limit=1))
        tx.connection.execute("DROP INDEX carts_user_id_active_key")
        buyer = shops[0]
        carts: list[UUID] = []
        for shop in shops:
            row = tx.connection.execute(
                "INSERT INTO carts (user_id) VALUES (%s) RETURNING id", [buyer.user_id]
            ).fetchone()
            assert row is not None
            tx.carts.add_item(row[0], CartLine(product_variant_id=shop.variants[0], quantity=1))
            carts.append(row[0])
    start = threading.Barrier(n)

    def checkout(cart_id: UUID) -> OrderWithItems | CouponUnavailable:
        start.wait(10)
        try:
            return db.checkout.place_from_cart(cart_id, checkout_of(buyer, coupon_code=coupon.code))
        except CouponUserLimitReached as refused:
            return refused

    with ThreadPoolExecutor(n) as pool:
        outcomes = list(pool.map(checkout, carts, timeout=60))

    placed = [o for o in outcomes if isinstance(o, OrderWithItems)]
    assert len(placed) == 1, outcomes
    assert all(isinstance(o, CouponUserLimitReached) for o in outcomes if o not in placed)
    with db.transaction() as tx:
        assert usages(tx, coupon) == 1
        assert tx.coupons.get_by_code(coupon.code).usage_count == 1
        orders = tx.connection.execute(
            "SELECT count(*) FROM orders WHERE user_id = %s", [buyer.user_id]
        ).fetchone()
        assert orders == (1,)
