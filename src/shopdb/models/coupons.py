"""Coupons: the coupon read model, its create input, and the discount rules."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Annotated, Self
from uuid import UUID

from pydantic import AfterValidator, Field, StringConstraints, field_validator, model_validator

from shopdb.core.errors import DomainError
from shopdb.models.base import InputModel, RowModel, Text

CENT = Decimal("0.01")
Money = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2, allow_inf_nan=False)]
Limit = Annotated[int, Field(gt=0, le=2**31 - 1, strict=True)]


class CouponType(StrEnum):
    """What a coupon takes off: a percentage of the subtotal, a fixed amount, or shipping."""

    PERCENTAGE = "PERCENTAGE"
    FIXED_AMOUNT = "FIXED_AMOUNT"
    FREE_SHIPPING = "FREE_SHIPPING"


def _upper(code: str) -> str:
    """Stored upper case."""
    return code.upper()


CouponCode = Annotated[
    str,
    AfterValidator(_upper),
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$"),
]


class Coupon(RowModel):
    """A coupon as stored; ``code`` is upper case, ``usage_count`` kept by the database."""

    id: UUID
    code: str
    description: str | None
    type: CouponType
    value: Decimal
    min_order_amount: Decimal | None
    max_discount_amount: Decimal | None
    usage_limit: int | None
    per_user_limit: int | None
    usage_count: int
    starts_at: datetime | None
    expires_at: datetime | None
    is_active: bool
    created_at: datetime
    updated_at: datetime


class NewCoupon(InputModel):
    """What it takes to create a coupon; the code is stored upper case."""

    code: CouponCode
    description: Annotated[Text, StringConstraints(max_length=1_000)] | None = None
    type: CouponType
    value: Money
    min_order_amount: Money | None = None
    max_discount_amount: Money | None = None
    usage_limit: Limit | None = None
    per_user_limit: Limit | None = None
    starts_at: datetime | None = None
    expires_at: datetime | None = None
    is_active: bool = True

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        """A percentage is at most 100, and expires_at is after starts_at."""
        if self.type is CouponType.PERCENTAGE and self.value > 100:
            raise ValueError("a percentage coupon takes at most 100")
        if self.starts_at and self.expires_at and self.expires_at <= self.starts_at:
            raise ValueError("expires_at must be after starts_at")
        return self


class CouponPatch(InputModel):
    """The terms ``coupons.update`` changes: only those given (None clears an optional one).
    The code and type stay (a new code or type is a new coupon); activity is
    ``deactivate``'s. The coupons CHECKs judge the terms that result (a percentage above
    100, an expiry before the start: ConstraintViolation)."""

    description: Annotated[Text, StringConstraints(max_length=1_000)] | None = None
    value: Money | None = None
    min_order_amount: Money | None = None
    max_discount_amount: Money | None = None
    usage_limit: Limit | None = None
    per_user_limit: Limit | None = None
    starts_at: datetime | None = None
    expires_at: datetime | None = None

    @field_validator("value")
    @classmethod
    def _not_cleared(cls, value: object) -> object:
        """Cannot be cleared (set to None)."""
        if value is None:
            raise ValueError("cannot be cleared")
        return value


class CouponCheck(RowModel):
    """A coupon with its date window judged by the database clock: what validate needs."""

    id: UUID
    code: str
    type: CouponType
    value: Decimal
    min_order_amount: Decimal | None
    max_discount_amount: Decimal | None
    usage_limit: int | None
    usage_count: int
    per_user_limit: int | None
    is_active: bool
    user_usage_count: int
    started: bool
    expired: bool

    def refusal(self, subtotal: Decimal) -> CouponRefusal | None:
        """Why the coupon does not apply to an order of ``subtotal`` now, or None."""
        if not self.is_active:
            return CouponRefusal.INACTIVE
        if not self.started:
            return CouponRefusal.NOT_STARTED
        if self.expired:
            return CouponRefusal.EXPIRED
        if self.usage_limit is not None and self.usage_count >= self.usage_limit:
            return CouponRefusal.USAGE_LIMIT_REACHED
        if self.per_user_limit is not None and self.user_usage_count >= self.per_user_limit:
            return CouponRefusal.PER_USER_LIMIT_REACHED
        if self.min_order_amount is not None and subtotal < self.min_order_amount:
            return CouponRefusal.BELOW_MIN_ORDER
        return None

    def discount(self, subtotal: Decimal) -> Decimal:
        """What the coupon takes off ``subtotal``, in cents rounded half up, never more than
        ``max_discount_amount`` nor the subtotal. FREE_SHIPPING takes nothing off the
        subtotal (0.00): the checkout waives the shipping."""
        if self.type is CouponType.FREE_SHIPPING:
            return Decimal("0.00")
        if self.type is CouponType.PERCENTAGE:
            amount = (subtotal * self.value / 100).quantize(CENT, rounding=ROUND_HALF_UP)
        else:
            amount = self.value
        if self.max_discount_amount is not None:
            amount = min(amount, self.max_discount_amount)
        return min(amount, subtotal).quantize(CENT)


class CouponRefusal(StrEnum):
    """Why a coupon cannot be used now (``CouponUnavailable.reason``)."""

    UNKNOWN = "UNKNOWN"
    INACTIVE = "INACTIVE"
    NOT_STARTED = "NOT_STARTED"
    EXPIRED = "EXPIRED"
    USAGE_LIMIT_REACHED = "USAGE_LIMIT_REACHED"
    PER_USER_LIMIT_REACHED = "PER_USER_LIMIT_REACHED"
    BELOW_MIN_ORDER = "BELOW_MIN_ORDER"


class CouponUnavailable(DomainError):
    """A coupon that does not apply: ``reason`` says why (unknown code, inactive, outside its
    date window, usage limit reached, order below its minimum). Raised by coupons.validate,
    and in place of the coupons_usage_count_limit_check violation when a usage would exceed
    the limit."""

    def __init__(
        self,
        message: str,
        *,
        reason: CouponRefusal = CouponRefusal.USAGE_LIMIT_REACHED,
        constraint: str | None = None,
        table: str | None = None,
        column: str | None = None,
    ) -> None:
        super().__init__(message, constraint=constraint, table=table, column=column)
        self.reason = reason


class CouponUserLimitReached(CouponUnavailable):
    """The user has used the coupon as often as its per-user limit allows (reason
    PER_USER_LIMIT_REACHED): raised by coupons.validate, and in place of the
    coupon_usages_per_user_limit_check violation when a usage would pass the limit (two
    checkouts of one user racing for the last use)."""

    def __init__(
        self,
        message: str,
        *,
        reason: CouponRefusal = CouponRefusal.PER_USER_LIMIT_REACHED,
        constraint: str | None = None,
        table: str | None = None,
        column: str | None = None,
    ) -> None:
        super().__init__(message, reason=reason, constraint=constraint, table=table, column=column)


class CouponLimitBelowUsage(DomainError):
    """An update would set a coupon's usage limit below the uses it has had already."""
