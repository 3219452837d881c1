"""A customer's cart reminders: the links of a reminder (opened, clicked) recorded for the
customer's own carts only (sql/customer_cart_recovery.sql)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from shopdb.customers.base import CustomerRepository
from shopdb.models.cart_recovery import RecoveryEvent, RecoveryKind
from shopdb.repositories.cart_recovery import CartRecoveryRepository

if TYPE_CHECKING:
    from shopdb.components import Components


class CustomerCartRecoveryRepository(CustomerRepository):
    """Reminders bound to the owner of their cart."""

    namespace = "customer_cart_recovery"
    entity = "cart reminder"
    aggregate = CartRecoveryRepository
    queries = {"record_step": RecoveryEvent, "events_of": RecoveryEvent}

    def record_step(self, recovery_id: UUID, kind: RecoveryKind, *, user_id: UUID) -> RecoveryEvent:
        """OPENED or CLICKED of the user's own reminder; NotFoundError otherwise."""
        return self._get(
            "record_step", RecoveryEvent, recovery_id=recovery_id, kind=kind, user_id=user_id
        )

    def events_of(self, cart_id: UUID, *, user_id: UUID) -> list[RecoveryEvent]:
        """The recovery events of the user's own cart (none for another's)."""
        return self._list("events_of", RecoveryEvent, cart_id=cart_id, user_id=user_id)


class CustomerCartRecovery:
    """``db.customer(user_id).cart_recovery``: what the customer did with a reminder."""

    def __init__(self, unit: Components, user_id: UUID) -> None:
        self._user_id = user_id
        self._own = unit.repository(CustomerCartRecoveryRepository)

    def opened(self, recovery_id: UUID) -> RecoveryEvent:
        """The customer opened the reminder ``recovery_id``; NotFoundError when not theirs."""
        return self._own.record_step(recovery_id, RecoveryKind.OPENED, user_id=self._user_id)

    def clicked(self, recovery_id: UUID) -> RecoveryEvent:
        """The customer followed a link of the reminder; NotFoundError when not theirs."""
        return self._own.record_step(recovery_id, RecoveryKind.CLICKED, user_id=self._user_id)

    def events_of(self, cart_id: UUID) -> list[RecoveryEvent]:
        """The recovery events of the customer's own cart."""
        return self._own.events_of(cart_id, user_id=self._user_id)
