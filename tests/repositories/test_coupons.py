"""CouponRepository against a real PostgreSQL: codes in any case and every coupon rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from shopdb.errors import (
    ConflictError,
    CouponRefusal,
    CouponUnavailable,
    InvalidInput,
    NotFoundError,
)
from shopdb.models import Coupon, CouponType, NewCoupon
from shopdb.transaction import Transaction
from tests.schema.rows import Rows
from tests.support.factories import new_user

D = Decimal
NOW = datetime.now(UTC)


def new_coupon(**overrides: Any) -> NewCoupon:
    values: dict[str, Any] = {"code": f"C{uuid4().hex[:10]}", "type": "FIXED_AMOUNT", "value": 10}
    values.update(overrides)
    return NewCoupon.model_validate(values)


@pytest.fixture
def user_id(tx: Transaction) -> UUID:
    return tx.users.create(new_user()).id


def _insert_window(tx: Transaction, code: str, starts: timedelta, expires: timedelta) -> None:
    """A coupon whose window is relative to now; created before it (the schema wants that)."""
    tx.connection.execute(
        "INSERT INTO coupons (code, type, value, created_at, starts_at, expires_at)"
        " VALUES (%s, 'FIXED_AMOUNT', 5, now() - interval '30 days', now() + %s, now() + %s)",
        (code, starts, expires),
    )


def refusal(tx: Transaction, code: str, subtotal: Decimal, user_id: UUID) -> CouponRefusal:
    with pytest.raises(CouponUnavailable) as caught:
        tx.coupons.validate(code, user_id, subtotal)
    return caught.value.reason


# --- create and get_by_code -------------------------------------------------------------------


def test_create_stores_the_code_upper_case_and_every_rule(tx: Transaction) -> None:
    starts, expires = NOW - timedelta(days=1), NOW + timedelta(days=10)
    coupon = tx.coupons.create(
        new_coupon(code="summer-25", type="PERCENTAGE", value=D("25"), description="Summer",
                   min_order_amount=D("50.00"), max_discount_amount=D("40.00"), usage_limit=10,
                   starts_at=starts, expires_at=expires)
    )  # fmt: skip

    assert coupon.code == "SUMMER-25"
    assert coupon.type is CouponType.PERCENTAGE
    assert (coupon.value, coupon.min_order_amount, coupon.max_discount_amount) == (
        D("25.00"), D("50.00"), D("40.00"),
    )  # fmt: skip
    assert (coupon.usage_limit, coupon.usage_count, coupon.is_active) == (10, 0, True)
    assert (coupon.starts_at, coupon.expires_at) == (starts, expires)


@pytest.mark.parametrize("spelling", ["WELCOME10", "welcome10", "Welcome10"])
def test_get_by_code_finds_the_coupon_in_any_letter_case(tx: Transaction, spelling: str) -> None:
    created = tx.coupons.create(new_coupon(code="WELCOME10"))

    assert tx.coupons.get_by_code(spelling) == created


def test_get_by_code_of_an_unknown_code_is_not_found(tx: Transaction) -> None:
    with pytest.raises(NotFoundError, match="coupon"):
        tx.coupons.get_by_code("NOPE-NOPE")


def test_a_code_taken_in_another_letter_case_is_a_conflict(tx: Transaction) -> None:
    tx.coupons.create(new_coupon(code="TAKEN"))

    with pytest.raises(ConflictError) as caught, tx.savepoint():
        tx.coupons.create(new_coupon(code="taken"))

    assert caught.value.constraint == "coupons_code_key"


@pytest.mark.parametrize(
    "overrides",
    [
        {"type": "PERCENTAGE", "value": 101},
        {"value": -1},
        {"value": D("1.001")},
        {"code": "ab"},
        {"code": "has space"},
        {"usage_limit": 0},
        {"starts_at": NOW, "expires_at": NOW},
        {"type": "BOGUS"},
    ],
)
def test_an_inconsistent_coupon_is_refused_before_the_database(overrides: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        new_coupon(**overrides)


# --- validate: the discount ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rules", "subtotal", "discount"),
    [
        ({"type": "FIXED_AMOUNT", "value": D("15.00")}, D("100.00"), D("15.00")),
        ({"type": "FIXED_AMOUNT", "value": D("15.00")}, D("9.99"), D("9.99")),
        ({"type": "PERCENTAGE", "value": D("15")}, D("199.99"), D("30.00")),
        ({"type": "PERCENTAGE", "value": D("12.5")}, D("0.20"), D("0.03")),
        ({"type": "PERCENTAGE", "value": D("100")}, D("42.42"), D("42.42")),
        ({"type": "PERCENTAGE", "value": D("50"), "max_discount_amount": D("20")}, D("100"),
         D("20.00")),
        ({"type": "FIXED_AMOUNT", "value": D("30"), "max_discount_amount": D("25")}, D("100"),
         D("25.00")),
        ({"type": "FREE_SHIPPING", "value": D("0")}, D("100.00"), D("0.00")),
        ({"type": "FIXED_AMOUNT", "value": D("5"), "min_order_amount": D("50")}, D("50.00"),
         D("5.00")),
    ],
)  # fmt: skip
def test_validate_gives_the_discount_in_cents_as_a_decimal(
    tx: Transaction, user_id: UUID, rules: dict[str, Any], subtotal: Decimal, discount: Decimal
) -> None:
    coupon = tx.coupons.create(new_coupon(**rules))

    given = tx.coupons.validate(coupon.code.lower(), user_id, subtotal)

    assert type(given) is Decimal
    assert given == discount
    assert given.as_tuple().exponent == -2


def test_validate_never_writes(tx: Transaction, user_id: UUID) -> None:
    coupon = tx.coupons.create(new_coupon(usage_limit=1))

    tx.coupons.validate(coupon.code, user_id, D("100"))
    tx.coupons.validate(coupon.code, user_id, D("100"))

    assert tx.coupons.get_by_code(coupon.code).usage_count == 0


def test_validate_refuses_a_negative_subtotal(tx: Transaction, user_id: UUID) -> None:
    coupon = tx.coupons.create(new_coupon())

    with pytest.raises(InvalidInput, match="negative"):
        tx.coupons.validate(coupon.code, user_id, D("-0.01"))


# --- validate: why a coupon does not apply -----------------------------------------------------


def test_an_unknown_code_is_unavailable_as_unknown(tx: Transaction, user_id: UUID) -> None:
    assert refusal(tx, "NO-SUCH-CODE", D("10"), user_id) is CouponRefusal.UNKNOWN


def test_an_inactive_coupon_is_unavailable(tx: Transaction, user_id: UUID) -> None:
    coupon = tx.coupons.create(new_coupon(is_active=False))

    with pytest.raises(CouponUnavailable, match="not active") as caught:
        tx.coupons.validate(coupon.code, user_id, D("100"))

    assert caught.value.reason is CouponRefusal.INACTIVE


def test_a_coupon_before_its_window_is_not_started(tx: Transaction, user_id: UUID) -> None:
    _insert_window(tx, "LATER", timedelta(days=1), timedelta(days=2))

    assert refusal(tx, "later", D("100"), user_id) is CouponRefusal.NOT_STARTED


def test_a_coupon_after_its_window_is_expired(tx: Transaction, user_id: UUID) -> None:
    _insert_window(tx, "EARLIER", timedelta(days=-2), timedelta(days=-1))

    assert refusal(tx, "earlier", D("100"), user_id) is CouponRefusal.EXPIRED


def test_a_coupon_inside_its_window_applies(tx: Transaction, user_id: UUID) -> None:
    _insert_window(tx, "NOWISH", timedelta(days=-1), timedelta(days=1))

    assert tx.coupons.validate("nowish", user_id, D("100")) == D("5.00")


def test_an_order_below_the_minimum_is_refused(tx: Transaction, user_id: UUID) -> None:
    coupon = tx.coupons.create(new_coupon(min_order_amount=D("50.00")))

    assert refusal(tx, coupon.code, D("49.99"), user_id) is CouponRefusal.BELOW_MIN_ORDER


def test_a_coupon_used_up_to_its_limit_is_refused(tx: Transaction, user_id: UUID) -> None:
    coupon = tx.coupons.create(new_coupon(usage_limit=2))
    rows = Rows(tx.connection)
    rows.insert("coupon_usages", coupon_id=coupon.id)
    assert tx.coupons.validate(coupon.code, user_id, D("100")) == D("10.00")

    rows.insert("coupon_usages", coupon_id=coupon.id)

    assert refusal(tx, coupon.code, D("100"), user_id) is CouponRefusal.USAGE_LIMIT_REACHED


def test_a_usage_beyond_the_limit_is_translated_to_coupon_unavailable(tx: Transaction) -> None:
    coupon: Coupon = tx.coupons.create(new_coupon(usage_limit=1))
    rows = Rows(tx.connection)
    rows.insert("coupon_usages", coupon_id=coupon.id)

    with pytest.raises(CouponUnavailable) as caught, tx.savepoint():
        rows.insert("coupon_usages", coupon_id=coupon.id)
    error = caught.value

    assert error.reason is CouponRefusal.USAGE_LIMIT_REACHED
    assert error.constraint == "coupons_usage_count_limit_check"
