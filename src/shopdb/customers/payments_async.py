"""A customer's payments and saved cards: the owner-bound queries and the view's methods."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address
from typing import TYPE_CHECKING
from uuid import UUID

from shopdb.customers.base_async import AsyncCustomerRepository
from shopdb.models.payments import NewSavedCard, Payment, PaymentProvider, Refund, SavedCard
from shopdb.repositories.payments_async import AsyncPaymentRepository

if TYPE_CHECKING:
    from shopdb.components_async import AsyncComponents


class AsyncCustomerPaymentRepository(AsyncCustomerRepository):
    """Payments by id or order, bound to their owner (sql/customer_payments.sql)."""

    namespace = "customer_payments"
    entity = "payment"
    aggregate = AsyncPaymentRepository
    queries = {
        "initiate": Payment,
        "get": Payment,
        "list_for_order": Payment,
        "list_refunds": Refund,
    }

    async def initiate(
        self,
        order_id: UUID,
        provider: PaymentProvider,
        *,
        user_id: UUID,
        conversation_id: str | None = None,
        installment: int = 1,
        ip_address: IPv4Address | IPv6Address | None = None,
        device_id: str | None = None,
    ) -> Payment:
        """``payments.initiate`` of the user's own order; NotFoundError for another's."""
        return await self._get(
            "initiate", Payment, order_id=order_id, user_id=user_id, provider=provider,
            conversation_id=conversation_id, installment=installment,
            ip_address=ip_address, device_id=device_id,
        )  # fmt: skip

    async def get(self, payment_id: UUID, *, user_id: UUID) -> Payment:
        """The user's payment; NotFoundError otherwise."""
        return await self._get("get", Payment, id=payment_id, user_id=user_id)

    async def list_for_order(self, order_id: UUID, *, user_id: UUID) -> list[Payment]:
        """The payments of the user's order, oldest first (none for another's order)."""
        return await self._list("list_for_order", Payment, order_id=order_id, user_id=user_id)

    async def list_refunds(self, payment_id: UUID, *, user_id: UUID) -> list[Refund]:
        """The refunds of the user's payment, oldest first (none for another's payment)."""
        return await self._list("list_refunds", Refund, payment_id=payment_id, user_id=user_id)


class AsyncCustomerPayments:
    """``db.customer(user_id).payments``: the customer's payments and saved cards."""

    def __init__(self, unit: AsyncComponents, user_id: UUID) -> None:
        self._unit = unit
        self._user_id = user_id
        self._own = unit.repository(AsyncCustomerPaymentRepository)

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
        """Record an INITIATED payment of the customer's order; NotFoundError otherwise."""
        return await self._own.initiate(
            order_id, provider, user_id=self._user_id, conversation_id=conversation_id,
            installment=installment, ip_address=ip_address, device_id=device_id,
        )  # fmt: skip

    async def get(self, payment_id: UUID) -> Payment:
        """The customer's payment; NotFoundError otherwise."""
        return await self._own.get(payment_id, user_id=self._user_id)

    async def list_for_order(self, order_id: UUID) -> list[Payment]:
        """The payments of the customer's order, oldest first."""
        return await self._own.list_for_order(order_id, user_id=self._user_id)

    async def list_refunds(self, payment_id: UUID) -> list[Refund]:
        """The refunds of the customer's payment, oldest first."""
        return await self._own.list_refunds(payment_id, user_id=self._user_id)

    async def save_card(self, card: NewSavedCard) -> SavedCard:
        """Save a tokenized card for the customer."""
        return await self._unit.payments.save_card(self._user_id, card)

    async def list_cards(self) -> list[SavedCard]:
        """The customer's saved cards."""
        return await self._unit.payments.list_cards(self._user_id)

    async def delete_card(self, card_id: UUID) -> None:
        """Delete the customer's saved card; NotFoundError otherwise."""
        await self._unit.payments.delete_card(self._user_id, card_id)

    async def set_default_card(self, card_id: UUID) -> SavedCard:
        """Make the customer's card their only default; NotFoundError otherwise."""
        return await self._unit.payments.set_default_card(self._user_id, card_id)
