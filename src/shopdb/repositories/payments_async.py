"""PaymentRepository: payments of orders, refunds and saved cards over sql/payments.sql."""

from __future__ import annotations

from decimal import Decimal
from ipaddress import IPv4Address, IPv6Address
from uuid import UUID

from shopdb.core import checks
from shopdb.core.unit_async import unit_of_work
from shopdb.models.audit import Actor
from shopdb.models.audited import PaymentState
from shopdb.models.events import PaymentRefunded
from shopdb.models.payments import (
    Authorization,
    IllegalPaymentTransition,
    LivePaymentExists,
    NewSavedCard,
    OrderNotPayable,
    Payment,
    PaymentAmountMismatch,
    PaymentProvider,
    Refund,
    RefundExceedsSettled,
    SavedCard,
)
from shopdb.models.users import ERASED_OWNER, UserErased
from shopdb.repositories.base_async import AsyncShopRepository

MAX_TOKEN = 500
"""The longest provider identifier (a conversation, device, refund id or failure code), as
models.payments.Token has it."""
MAX_TEXT = 1_000
"""The longest free text of a payment step (a failure or refund reason)."""
MAX_INSTALLMENTS = 36
"""payments_installment_check: 1 to 36 installments."""


class AsyncPaymentRepository(AsyncShopRepository):
    """Payments. Each method that changes a status is one statement, or one transaction
    whose docstring gives the order of its locks."""

    namespace = "payments"
    entity = "payment"
    tables = ("payments", "payment_refunds", "saved_cards")
    locks = {"lock_card_owner": None, "lock_state": PaymentState}
    queries = {
        "initiate": Payment,
        "get": Payment,
        "find_by_transaction": Payment,
        "list_for_order": Payment,
        "authorize": Payment,
        "settle": Payment,
        "fail": Payment,
        "record_refund": Refund,
        "mark_refunded": None,
        "list_refunds": Refund,
        "save_card": SavedCard,
        "list_cards": SavedCard,
        "delete_card": None,
        "clear_default_card": None,
        "mark_default_card": SavedCard,
        "delete_cards_for_user": None,
        "erase_card_details_for_user": None,
    }
    constraint_messages = {
        "payments_amount_matches_order_check": "a payment's amount and currency are its order's",
        "payments_transaction_id_provider_key": "the provider's transaction is recorded already",
        "payment_refunds_within_settled_amount_check": (
            "the refunds of a payment cannot exceed its settled amount"
        ),
        "payment_refunds_refund_id_key": "this provider refund is recorded already",
        "saved_cards_card_token_key": "this card is saved already",
        "saved_cards_user_id_is_default_key": "the user already has a default card",
        "payments_settled_paid_price_check": "a payment is settled for exactly its amount",
        "payments_order_pending_check": "a new payment is for a PENDING order",
        "payments_order_id_live_key": "the order already has a live payment",
        "payments_owner_not_erased_check": ERASED_OWNER,
        "saved_cards_owner_not_erased_check": ERASED_OWNER,
    }
    constraint_errors = {
        "payment_refunds_within_settled_amount_check": RefundExceedsSettled,
        "payments_settled_paid_price_check": PaymentAmountMismatch,
        "payments_order_pending_check": OrderNotPayable,
        "payments_order_id_live_key": LivePaymentExists,
        "payments_status_transition_check": IllegalPaymentTransition,
        "payments_owner_not_erased_check": UserErased,
        "saved_cards_owner_not_erased_check": UserErased,
    }

    async def initiate(
        self,
        order_id: UUID,
        provider: PaymentProvider,
        *,
        conversation_id: str | None = None,
        installment: int = 1,
        ip_address: IPv4Address | IPv6Address | None = None,
        device_id: str | None = None,
    ) -> Payment:
        """Record an INITIATED payment of the order's total in its currency (taken from the
        order by the database); NotFoundError when there is no such order, OrderNotPayable
        unless it is PENDING, LivePaymentExists while another payment of it is live."""
        return await self._get(
            "initiate", Payment, order_id=order_id, provider=provider,
            conversation_id=checks.text("conversation_id", conversation_id, MAX_TOKEN),
            installment=checks.whole("installment", installment, 1, MAX_INSTALLMENTS),
            ip_address=ip_address, device_id=checks.text("device_id", device_id, MAX_TOKEN),
        )  # fmt: skip

    async def get(self, payment_id: UUID) -> Payment:
        """The payment with this id; NotFoundError otherwise."""
        return await self._get("get", Payment, id=payment_id)

    async def find_by_transaction(
        self, provider: PaymentProvider, transaction_id: str
    ) -> Payment | None:
        """The payment of the provider's transaction, or None."""
        return await self._find(
            "find_by_transaction", Payment, provider=provider, transaction_id=transaction_id
        )

    async def record_notification(
        self, provider: PaymentProvider, transaction_id: str, *, paid_price: Decimal
    ) -> Payment:
        """``db.settlement.record_notification``: a provider's notification that its
        transaction was paid, recorded once whatever the number of replays."""
        return await self._unit.settlement.record_notification(
            provider, transaction_id, paid_price=paid_price
        )

    async def list_for_order(self, order_id: UUID) -> list[Payment]:
        """The payments of an order, oldest first."""
        return await self._list("list_for_order", Payment, order_id=order_id)

    async def authorize(self, payment_id: UUID, authorization: Authorization) -> Payment:
        """INITIATED -> AUTHORIZED with the provider's answer; IllegalPaymentTransition else."""
        params = authorization.model_dump()
        return await self._moved(
            await self._find("authorize", Payment, id=payment_id, **params), payment_id
        )

    async def settle(
        self, payment_id: UUID, *, paid_price: Decimal | None = None, actor: Actor | None = None
    ) -> Payment:
        """``db.settlement.settle``: the payment SETTLED and its order PAID, together."""
        checks.finite("paid_price", paid_price)
        return await self._unit.settlement.settle(payment_id, paid_price=paid_price, actor=actor)

    @unit_of_work
    async def mark_settled(
        self, payment_id: UUID, *, paid_price: Decimal | None = None, actor: Actor | None = None
    ) -> Payment:
        """The payment's own step of a settlement: INITIATED or AUTHORIZED -> SETTLED, audited
        (``payments``/``settle``, PaymentState; None: the SYSTEM actor). Locks the payment
        row. IllegalPaymentTransition from any other status, PaymentAmountMismatch for a paid
        price other than its amount (nothing written)."""
        paid = checks.finite("paid_price", paid_price)
        before = await self._lock("lock_state", PaymentState, id=payment_id)
        found = await self._find("settle", Payment, id=payment_id, paid_price=paid)
        return await self._audited_move(
            "settle", before, await self._moved(found, payment_id), actor
        )

    @unit_of_work
    async def fail(
        self, payment_id: UUID, *, reason: str, code: str | None = None,
        actor: Actor | None = None,
    ) -> Payment:  # fmt: skip
        """INITIATED or AUTHORIZED -> FAILED with the provider's reason and code, audited
        (``payments``/``fail``). Locks the payment row."""
        why = checks.text("reason", reason, MAX_TEXT)
        failure_code = checks.text("code", code, MAX_TOKEN)
        before = await self._lock("lock_state", PaymentState, id=payment_id)
        found = await self._find(
            "fail", Payment, id=payment_id, failure_reason=why, failure_code=failure_code
        )
        return await self._audited_move("fail", before, await self._moved(found, payment_id), actor)

    @unit_of_work
    async def refund(
        self, payment_id: UUID, amount: Decimal, *, reason: str | None = None,
        refund_id: str | None = None, actor: Actor | None = None,
    ) -> Refund:  # fmt: skip
        """Record a succeeded refund (partial or full); when the refunds reach the amount the
        payment becomes REFUNDED. Audited (``payments``/``refund``, PaymentState with what was
        refunded). RefundExceedsSettled when the payment is not settled or the refunds would
        exceed it (the database holds this under concurrent refunds). Locks the payment row
        (first, then again by the refund's trigger) and nothing else."""
        refunding = checks.finite("amount", amount)
        why = checks.text("reason", reason, MAX_TEXT)
        provider_id = checks.text("refund_id", refund_id, MAX_TOKEN)
        before = await self._lock("lock_state", PaymentState, id=payment_id)
        done = await self._get("record_refund", Refund, payment_id=payment_id, amount=refunding,
                         reason=why, refund_id=provider_id)  # fmt: skip
        await self._count("mark_refunded", payment_id=payment_id)
        after = await self._lock("lock_state", PaymentState, id=payment_id)
        await self._tx.events.record(
            PaymentRefunded.of(done, after.refunded, after.paid_price or after.amount)
        )
        return await self._audited(actor or Actor.system(), "refund", payment_id, before, after,
                             result=done)  # fmt: skip

    async def _audited_move(
        self, action: str, before: PaymentState, moved: Payment, actor: Actor | None
    ) -> Payment:
        after = PaymentState.of(moved, before.refunded)
        return await self._audited(actor or Actor.system(), action, moved.id, before, after,
                             result=moved)  # fmt: skip

    async def list_refunds(self, payment_id: UUID) -> list[Refund]:
        """The refunds of a payment, oldest first."""
        return await self._list("list_refunds", Refund, payment_id=payment_id)

    async def save_card(self, user_id: UUID, card: NewSavedCard) -> SavedCard:
        """Store a card the user saved at the provider (not the default)."""
        return await self._get("save_card", SavedCard, user_id=user_id, **card.model_dump())

    async def list_cards(self, user_id: UUID) -> list[SavedCard]:
        """The user's saved cards, the default first."""
        return await self._list("list_cards", SavedCard, user_id=user_id)

    async def delete_card(self, user_id: UUID, card_id: UUID) -> None:
        """Remove one of the user's cards; NotFoundError when it is not theirs."""
        await self._touch("delete_card", id=card_id, user_id=user_id)

    async def erase_for_user(self, user_id: UUID) -> int:
        """The payments' step of an erasure (``db.erasure.erase``): the user's saved cards
        deleted, and the card token, BIN, last four digits, IP address and device of their
        payments cleared (amounts, statuses and the provider's ids stay). How many cards."""
        await self._count("erase_card_details_for_user", user_id=user_id)
        return await self._count("delete_cards_for_user", user_id=user_id)

    @unit_of_work
    async def set_default_card(self, user_id: UUID, card_id: UUID) -> SavedCard:
        """Make the card the user's only default; NotFoundError when it is not theirs.
        Locks the user's advisory lock, then their default card, then the chosen one."""
        await self._lock("lock_card_owner", None, user_id=user_id)
        await self._count("clear_default_card", user_id=user_id)
        return await self._get("mark_default_card", SavedCard, id=card_id, user_id=user_id)

    async def _moved(self, payment: Payment | None, payment_id: UUID) -> Payment:
        if payment is not None:
            return payment
        current = await self.get(payment_id)  # NotFoundError when there is no such payment
        raise IllegalPaymentTransition(f"payment: a {current.status.value} payment cannot move so")
