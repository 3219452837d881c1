"""A customer's cart reminders: the links of a reminder (opened, clicked) recorded for the
customer's own carts only (sql/customer_cart_recovery.sql)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from shopdb.customers.base_async import AsyncCustomerRepository
from shopdb.models.cart_recovery import RecoveryEvent, RecoveryKind
from shopdb.repositories.cart_recovery_async import AsyncCartRecoveryRepository

if TYPE_CHECKING:
    from shopdb.components_async import AsyncComponents


class AsyncCustomerCartRecoveryRepository(AsyncCustomerRepository):
    """Reminders bound to the owner of their cart."""

    namespace = "customer_cart_recovery"
    entity = "cart reminder"
    aggregate = AsyncCartRecoveryRepository
    queries = {"record_step": RecoveryEvent, "events_of": RecoveryEvent}

    async def record_step(
        self, recovery_id: UUID, kind: RecoveryKind, *, user_id: UUID
    ) -> RecoveryEvent:
        """OPENED or CLICKED of the user's own reminder; NotFoundError otherwise."""
        return await self._get(
            "record_step", RecoveryEvent, recovery_id=recovery_id, kind=kind, user_id=user_id
        )

    async def events_of(self, cart_id: UUID, *, user_id: UUID) -> list[RecoveryEvent]:
        """The recovery events of the user's own cart (none for another's)."""
        return await self._list("events_of", RecoveryEvent, cart_id=cart_id, user_id=user_id)


class AsyncCustomerCartRecovery:
    """``db.customer(user_id).cart_recovery``: what the customer did with a reminder."""

    def __init__(self, unit: AsyncComponents, user_id: UUID) -> None:
        self._user_id = user_id
        self._own = unit.repository(AsyncCustomerCartRecoveryRepository)

    async def opened(self, recovery_id: UUID) -> RecoveryEvent:
        """The customer opened the reminder ``recovery_id``; NotFoundError when not theirs."""
        return await self._own.record_step(recovery_id, RecoveryKind.OPENED, user_id=self._user_id)

    async def clicked(self, recovery_id: UUID) -> RecoveryEvent:
        """The customer followed a link of the reminder; NotFoundError when not theirs."""
        return await self._own.record_step(recovery_id, RecoveryKind.CLICKED, user_id=self._user_id)

    async def events_of(self, cart_id: UUID) -> list[RecoveryEvent]:
        """The recovery events of the customer's own cart."""
        return await self._own.events_of(cart_id, user_id=self._user_id)
