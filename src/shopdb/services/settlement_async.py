"""SettlementService: a payment settles and its order is paid, together or not at all."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from shopdb.core.errors import NotFoundError
from shopdb.core.unit_async import unit_of_work
from shopdb.models.audit import Actor
from shopdb.models.events import PaymentSettled
from shopdb.models.orders import IllegalStatusTransition
from shopdb.models.payments import (
    IllegalPaymentTransition,
    Payment,
    PaymentAmountMismatch,
    PaymentProvider,
    PaymentStatus,
)
from shopdb.services.base_async import AsyncService

LOST_RACE_REASON = "its order was no longer PENDING when the payment settled"
LOST_RACE_CODE = "ORDER_NOT_PENDING"


class AsyncSettlementService(AsyncService):
    """Settlement of payments. Locks: the payment row, then the order row."""

    async def settle(
        self, payment_id: UUID, *, paid_price: Decimal | None = None, actor: Actor | None = None
    ) -> Payment:
        """INITIATED or AUTHORIZED -> SETTLED, and its PENDING order -> PAID through the
        order state machine, in one transaction. PaymentAmountMismatch for a paid price other
        than the payment's amount, IllegalPaymentTransition when the payment cannot move:
        nothing changes. A payment whose order is no longer PENDING (cancelled, expired:
        it lost the race) is FAILED, committed, and then IllegalPaymentTransition is raised.
        Each change is audited (``payments``/``settle`` or ``fail``, ``orders``/``change_status``;
        None: the SYSTEM actor)."""
        outcome = await self._settle(payment_id, paid_price, actor)
        if isinstance(outcome, IllegalPaymentTransition):
            raise outcome
        return outcome

    async def record_notification(
        self, provider: PaymentProvider, transaction_id: str, *, paid_price: Decimal
    ) -> Payment:
        """A provider's notification (webhook) that its transaction was paid ``paid_price``:
        the payment of (provider, transaction_id) settles; replayed, or racing its own
        replay, it changes nothing and returns the same payment. NotFoundError for an
        unknown transaction, PaymentAmountMismatch for another amount."""
        payment = await self._find_payment(provider, transaction_id)
        if payment.status in (PaymentStatus.INITIATED, PaymentStatus.AUTHORIZED):
            try:
                return await self.settle(payment.id, paid_price=paid_price)
            except IllegalPaymentTransition:
                payment = await self._find_payment(
                    provider, transaction_id
                )  # a replay won the race
        if payment.status in (PaymentStatus.SETTLED, PaymentStatus.REFUNDED):
            if payment.paid_price != paid_price:
                raise PaymentAmountMismatch(
                    f"payment {payment.id} was settled for another amount than notified"
                )
            return payment
        raise IllegalPaymentTransition(f"payment: a {payment.status.value} payment cannot settle")

    async def _find_payment(self, provider: PaymentProvider, transaction_id: str) -> Payment:
        found = await self._unit.payments.find_by_transaction(provider, transaction_id)
        if found is None:
            raise NotFoundError("payment", transaction_id)
        return found

    @unit_of_work
    async def _settle(
        self, payment_id: UUID, paid_price: Decimal | None, actor: Actor | None
    ) -> Payment | IllegalPaymentTransition:
        """The settlement's unit: the payment SETTLED and its order PAID; or, when the order
        is no longer PENDING, the payment FAILED and the refusal returned (to be raised by
        ``settle`` once this unit has committed the failure)."""
        tx = self._tx
        try:
            async with tx.savepoint():
                settled = await tx.payments.mark_settled(
                    payment_id, paid_price=paid_price, actor=actor
                )
                await tx.events.record(PaymentSettled.of(settled))
                await tx.orders.mark_paid(settled.order_id, actor=actor)
        except IllegalStatusTransition as refused:
            await tx.payments.fail(
                payment_id, reason=LOST_RACE_REASON, code=LOST_RACE_CODE, actor=actor
            )
            lost = IllegalPaymentTransition(
                f"payment {payment_id}: its order is not PENDING; the payment is FAILED"
            )
            lost.__cause__ = refused
            return lost
        return settled
