"""The customer's view: ``db.customer(user_id)`` (and ``tx.customer(user_id)``) reaches only
that customer's rows. Each attribute has the method names of the repository of the same
name, without the user id; every statement behind it binds the rows to the owner, so another
customer's row is NotFoundError, exactly as if it did not exist, and nothing of it is written.
The unscoped repositories (``db.orders``, ...) stay for staff and back-office code."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING
from uuid import UUID

from shopdb.core.repository_async import AsyncRepository
from shopdb.customers.addresses_async import AsyncCustomerAddresses, AsyncCustomerAddressRepository
from shopdb.customers.base_async import AsyncCustomerRepository
from shopdb.customers.cart_recovery_async import (
    AsyncCustomerCartRecovery,
    AsyncCustomerCartRecoveryRepository,
)
from shopdb.customers.carts_async import AsyncCustomerCartRepository, AsyncCustomerCarts
from shopdb.customers.identity_async import AsyncCustomerApiKeys, AsyncCustomerSessions
from shopdb.customers.notifications_async import AsyncCustomerNotifications
from shopdb.customers.orders_async import AsyncCustomerOrderRepository, AsyncCustomerOrders
from shopdb.customers.payments_async import AsyncCustomerPaymentRepository, AsyncCustomerPayments
from shopdb.customers.reviews_async import AsyncCustomerReviewRepository, AsyncCustomerReviews

if TYPE_CHECKING:
    from shopdb.components_async import AsyncComponents

__all__ = ["CUSTOMER_REPOSITORIES", "AsyncCustomerRepository", "AsyncCustomerView"]

CUSTOMER_REPOSITORIES: tuple[type[AsyncRepository], ...] = (
    AsyncCustomerAddressRepository,
    AsyncCustomerCartRepository,
    AsyncCustomerCartRecoveryRepository,
    AsyncCustomerOrderRepository,
    AsyncCustomerPaymentRepository,
    AsyncCustomerReviewRepository,
)
"""The owner-bound repositories: ``shopdb check`` reads their class data too."""


class AsyncCustomerView:
    """One customer's rows, on the Database (pooled statements) or on a Transaction."""

    def __init__(self, unit: AsyncComponents, user_id: UUID) -> None:
        self._unit = unit
        self.user_id = user_id

    @cached_property
    def addresses(self) -> AsyncCustomerAddresses:
        """The customer's address book."""
        return AsyncCustomerAddresses(self._unit, self.user_id)

    @cached_property
    def cart_recovery(self) -> AsyncCustomerCartRecovery:
        """The customer's cart reminders: their links opened and clicked."""
        return AsyncCustomerCartRecovery(self._unit, self.user_id)

    @cached_property
    def carts(self) -> AsyncCustomerCarts:
        """The customer's carts."""
        return AsyncCustomerCarts(self._unit, self.user_id)

    @cached_property
    def notifications(self) -> AsyncCustomerNotifications:
        """The customer's notifications and their preferences."""
        return AsyncCustomerNotifications(self._unit, self.user_id)

    @cached_property
    def orders(self) -> AsyncCustomerOrders:
        """The customer's orders and their checkout."""
        return AsyncCustomerOrders(self._unit, self.user_id)

    @cached_property
    def payments(self) -> AsyncCustomerPayments:
        """The customer's payments and saved cards."""
        return AsyncCustomerPayments(self._unit, self.user_id)

    @cached_property
    def reviews(self) -> AsyncCustomerReviews:
        """The customer's own reviews."""
        return AsyncCustomerReviews(self._unit, self.user_id)

    @cached_property
    def sessions(self) -> AsyncCustomerSessions:
        """The customer's sessions."""
        return AsyncCustomerSessions(self._unit, self.user_id)

    @cached_property
    def api_keys(self) -> AsyncCustomerApiKeys:
        """The customer's API keys."""
        return AsyncCustomerApiKeys(self._unit, self.user_id)
