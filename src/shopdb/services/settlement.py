"""SettlementService: a payment settles and its order is paid, together or not at all."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from shopdb.core.unit import unit_of_work
from shopdb.models.orders import IllegalStatusTransition
from shopdb.models.payments import IllegalPaymentTransition, Payment
from shopdb.services.base import Service


class SettlementService(Service):
    """Settlement of payments. Locks: the payment row, then the order row."""

    @unit_of_work
    def settle(self, payment_id: UUID, *, paid_price: Decimal | None = None) -> Payment:
        """INITIATED or AUTHORIZED -> SETTLED, and its PENDING order -> PAID through the
        order state machine, in one transaction; IllegalPaymentTransition when either cannot
        move (an order paid or cancelled already), and nothing changes."""
        tx = self._tx
        settled = tx.payments.mark_settled(payment_id, paid_price=paid_price)
        try:
            tx.orders.mark_paid(settled.order_id)
        except IllegalStatusTransition as refused:
            raise IllegalPaymentTransition(
                f"payment {payment_id}: its order is not PENDING, not settled"
            ) from refused
        return settled
