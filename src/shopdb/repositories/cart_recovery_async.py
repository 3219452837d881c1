"""CartRecoveryRepository: reminders of abandoned carts and what came of them
(sql/cart_recovery.sql). ``remind`` finds the carts worth a reminder, records SENT and a
``cart.abandoned`` event for each in one transaction (the webhooks and the notifications
carry the reminder out); the checkout attributes its order to a reminded cart."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from shopdb.core.unit_async import unit_of_work
from shopdb.models.cart_recovery import (
    RecoveryCandidate,
    RecoveryDay,
    RecoveryEvent,
    RecoveryKind,
    Reminder,
    SentBatch,
)
from shopdb.models.events import CartAbandoned
from shopdb.models.orders import Order
from shopdb.repositories.base_async import AsyncShopRepository


class AsyncCartRecoveryRepository(AsyncShopRepository):
    """Cart recovery. Locks: the advisory lock of the reminder runs (``remind``)."""

    namespace = "cart_recovery"
    entity = "cart reminder"
    tables = ("cart_recovery_events",)
    locks = {"lock_reminders": None}
    queries = {
        "candidates": RecoveryCandidate,
        "record_sent": SentBatch,
        "record_step": RecoveryEvent,
        "record_recovered": RecoveryEvent,
        "events_of": RecoveryEvent,
        "figures_by_day": RecoveryDay,
    }

    async def candidates(self, *, limit: int = 100) -> list[RecoveryCandidate]:
        """The carts worth a reminder now (idle past CART_RECOVERY_IDLE_S, not reminded
        within CART_RECOVERY_COOLDOWN_S), the longest idle first."""
        settings = self._context.settings
        return await self._list(
            "candidates", RecoveryCandidate, idle_s=settings.cart_recovery_idle_s,
            cooldown_s=settings.cart_recovery_cooldown_s, limit=self._page_size(limit),
        )  # fmt: skip

    @unit_of_work
    async def remind(self, *, limit: int = 100) -> list[Reminder]:
        """Take up to ``limit`` candidates, record SENT and a ``cart.abandoned`` event of
        each (two runs at once never remind a cart twice); the reminders to send. Locks:
        the reminder runs' advisory lock, then the new rows."""
        await self._lock("lock_reminders", None)
        found = {c.cart_id: c for c in await self.candidates(limit=limit)}
        sent = (
            (await self._get("record_sent", SentBatch, cart_ids=list(found))).rows if found else []
        )
        reminders = [Reminder(recovery_id=s.id, **_fields(found[s.cart_id])) for s in sent]
        for r, s in zip(reminders, sent, strict=True):
            await self._tx.events.record(
                CartAbandoned(status=found[s.cart_id].status, **r.model_dump())
            )
        return reminders

    async def record_opened(self, recovery_id: UUID) -> RecoveryEvent:
        """The reminder ``recovery_id`` (its SENT event) was opened; NotFoundError else."""
        return await self._get("record_step", RecoveryEvent, recovery_id=recovery_id,
                         kind=RecoveryKind.OPENED)  # fmt: skip

    async def record_clicked(self, recovery_id: UUID) -> RecoveryEvent:
        """A link of the reminder ``recovery_id`` was followed; NotFoundError else."""
        return await self._get("record_step", RecoveryEvent, recovery_id=recovery_id,
                         kind=RecoveryKind.CLICKED)  # fmt: skip

    async def attribute(self, order: Order) -> RecoveryEvent | None:
        """The checkout's step: RECOVERED with the order and its total when the order's
        cart was reminded (once per cart); None otherwise."""
        if order.cart_id is None:
            return None
        return await self._find(
            "record_recovered", RecoveryEvent, cart_id=order.cart_id, order_id=order.id,
            revenue=order.total_amount,
        )  # fmt: skip

    async def events_of(self, cart_id: UUID) -> list[RecoveryEvent]:
        """The recovery events of one cart, in order."""
        return await self._list("events_of", RecoveryEvent, cart_id=cart_id)

    async def figures_by_day(self, start: datetime, end: datetime) -> list[RecoveryDay]:
        """Per UTC day in [start, end): carts contacted, reminders opened and clicked, carts
        recovered and their orders' revenue (one aggregate query)."""
        return await self._list("figures_by_day", RecoveryDay, from_time=start, to_time=end)


def _fields(candidate: RecoveryCandidate) -> dict[str, object]:
    return {
        "cart_id": candidate.cart_id, "user_id": candidate.user_id, "email": candidate.email,
        "items": candidate.items, "subtotal": candidate.subtotal,
    }  # fmt: skip
