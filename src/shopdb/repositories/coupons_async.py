"""CouponRepository: discount codes and their rules over sql/coupons.sql."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from shopdb.core.errors import InvalidInput
from shopdb.core.paging import NEWEST_FIRST, CursorPage
from shopdb.core.unit_async import unit_of_work
from shopdb.models.audit import Actor
from shopdb.models.audited import CouponState
from shopdb.models.coupons import (
    Coupon,
    CouponCheck,
    CouponLimitBelowUsage,
    CouponPatch,
    CouponRefusal,
    CouponUnavailable,
    CouponUserLimitReached,
    NewCoupon,
)
from shopdb.repositories.base_async import AsyncShopRepository

_REASONS = {
    CouponRefusal.UNKNOWN: "there is no coupon with this code",
    CouponRefusal.INACTIVE: "the coupon is not active",
    CouponRefusal.NOT_STARTED: "the coupon is not valid yet",
    CouponRefusal.EXPIRED: "the coupon has expired",
    CouponRefusal.USAGE_LIMIT_REACHED: "the coupon has reached its usage limit",
    CouponRefusal.PER_USER_LIMIT_REACHED: "the user has used the coupon as often as it allows",
    CouponRefusal.BELOW_MIN_ORDER: "the order is below the coupon's minimum amount",
}


class AsyncCouponRepository(AsyncShopRepository):
    """Coupons. Codes are matched in any letter case; validate never writes."""

    namespace = "coupons"
    entity = "coupon"
    tables = ("coupons", "coupon_usages")
    locks = {"lock_coupon": Coupon}
    queries = {
        "create": Coupon,
        "get_by_code": Coupon,
        "deactivate": Coupon,
        "update": Coupon,
        "list_coupons": Coupon,
        "check_by_code": CouponCheck,
        "record_usage": None,
    }
    constraint_messages = {
        "coupons_code_key": "a coupon with this code exists",
        "coupons_code_check": "a code is 3 to 64 upper case letters, digits, _ or -",
        "coupons_value_percentage_check": "a percentage coupon takes at most 100",
        "coupons_expires_at_starts_at_check": "expires_at must be after starts_at",
        "coupons_usage_count_limit_check": _REASONS[CouponRefusal.USAGE_LIMIT_REACHED],
        "coupons_per_user_limit_check": "a per-user limit is at least 1",
        "coupons_expires_at_check": "expires_at must be after the coupon was created",
        "coupon_usages_per_user_limit_check": _REASONS[CouponRefusal.PER_USER_LIMIT_REACHED],
    }
    constraint_errors = {
        "coupons_usage_count_limit_check": CouponUnavailable,
        "coupon_usages_per_user_limit_check": CouponUserLimitReached,
    }

    @unit_of_work
    async def create(self, new: NewCoupon, *, actor: Actor | None = None) -> Coupon:
        """Store a new coupon, audited (``coupons``/``create``, its terms as CouponState;
        None: the SYSTEM actor); ConflictError when the code is taken."""
        created = await self._get("create", Coupon, **new.model_dump())
        return await self._audited(actor or Actor.system(), "create", created.id, None,
                             CouponState.of(created), result=created)  # fmt: skip

    @unit_of_work
    async def deactivate(self, code: str, *, actor: Actor | None = None) -> Coupon:
        """Make the coupon unusable (one guarded UPDATE: it was active if it touched the row),
        audited (``coupons``/``deactivate``); an inactive coupon stays so, with no entry.
        NotFoundError when there is no coupon with this code."""
        done = await self._find("deactivate", Coupon, code=code)
        if done is None:
            return await self.get_by_code(code)
        after = CouponState.of(done)
        before = after.model_copy(update={"is_active": True})
        return await self._audited(actor or Actor.system(), "deactivate", done.id, before, after,
                             result=done)  # fmt: skip

    @unit_of_work
    async def update(self, code: str, patch: CouponPatch, *, actor: Actor | None = None) -> Coupon:
        """Change the terms set in ``patch``, audited (``coupons``/``update``, CouponState
        before and after; no entry when nothing changed). CouponLimitBelowUsage when the new
        usage limit is below the uses so far, ConstraintViolation when the terms that result
        break a rule (a percentage above 100, an expiry before the start), NotFoundError.
        Locks: the coupon row (its usages wait)."""
        before = await self._lock("lock_coupon", Coupon, code=code)
        limit = patch.usage_limit if "usage_limit" in patch.model_fields_set else None
        if limit is not None and limit < before.usage_count:
            raise CouponLimitBelowUsage(
                f"coupon: a usage limit of {limit} is below the {before.usage_count} uses so far"
            )
        after = await self._patch("update", Coupon, patch, id=before.id)
        was, now = CouponState.of(before), CouponState.of(after)
        return await self._audited(
            actor or Actor.system(), "update", before.id, was, now, result=after
        )

    async def list_coupons(
        self, *, is_active: bool | None = None, limit: int = 50, cursor: str | None = None
    ) -> CursorPage[Coupon]:
        """The coupons newest first, a keyset page at a time; only the active (or inactive)
        ones when ``is_active`` is given."""
        return await self._page("list_coupons", Coupon, NEWEST_FIRST, limit=limit, cursor=cursor,
                          is_active=is_active)  # fmt: skip

    async def get_by_code(self, code: str) -> Coupon:
        """The coupon with this code in any letter case; NotFoundError otherwise."""
        return await self._get("get_by_code", Coupon, code=code)

    async def validate(self, code: str, user_id: UUID | None, subtotal: Decimal) -> Decimal:
        """The discount the coupon gives an order of ``subtotal`` now (Decimal, in cents), or
        CouponUnavailable saying why not (CouponUserLimitReached when ``user_id`` has used it
        as often as its per-user limit allows; a guest, None, has no per-user count)."""
        if subtotal < 0:
            raise InvalidInput("coupons.validate: subtotal cannot be negative")
        check = await self._find("check_by_code", CouponCheck, code=code, user_id=user_id)
        refusal = CouponRefusal.UNKNOWN if check is None else check.refusal(subtotal)
        if refusal is CouponRefusal.PER_USER_LIMIT_REACHED:
            raise CouponUserLimitReached(f"coupon: {_REASONS[refusal]}")
        if refusal is not None:
            raise CouponUnavailable(f"coupon: {_REASONS[refusal]}", reason=refusal)
        assert check is not None
        return check.discount(subtotal)

    async def record_usage(
        self, code: str, user_id: UUID | None, order_id: UUID, discount: Decimal
    ) -> None:
        """Count one use of the coupon by an order (its trigger bumps the coupon's usage
        count, a row lock on it); CouponUnavailable when that would pass its usage limit,
        CouponUserLimitReached when it would pass the user's (the database refuses both,
        also when checkouts race)."""
        params = {
            "code": code,
            "user_id": user_id,
            "order_id": order_id,
            "discount_amount": discount,
        }
        if await self._count("record_usage", **params) != 1:
            raise CouponUnavailable(
                "coupon: " + _REASONS[CouponRefusal.UNKNOWN], reason=CouponRefusal.UNKNOWN
            )
