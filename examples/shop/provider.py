"""The payment provider of the example: it accepts every card at once. A real shop sends
the shopper to its provider and records the answer when the provider calls back (a
webhook); that answer is what ``confirm`` writes, through the staff-side ``db.payments``
(the provider, not the shopper, says a payment went through)."""

from __future__ import annotations

from shopdb import AsyncDatabase
from shopdb.models import Authorization, Payment


async def confirm(
    db: AsyncDatabase, payment: Payment, card_token: str, last_four_digits: str | None
) -> Payment:
    """Authorize the INITIATED payment, then settle it: the payment SETTLED and its order
    PAID in one transaction (``db.settlement``)."""
    answer = Authorization(
        transaction_id=f"demo-{payment.id}",
        card_token=card_token,
        last_four_digits=last_four_digits,
    )
    await db.payments.authorize(payment.id, answer)
    return await db.payments.settle(payment.id)
