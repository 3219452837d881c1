"""The customer's view: ``db.customer(user_id)`` (and ``tx.customer(user_id)``) reaches only
that customer's rows. Each attribute has the method names of the repository of the same
name, without the user id; every statement behind it binds the rows to the owner, so another
customer's row is NotFoundError, exactly as if it did not exist, and nothing of it is written.
The unscoped repositories (``db.orders``, ...) stay for staff and back-office code."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING
from uuid import UUID

from shopdb.core.repository import Repository
from shopdb.customers.addresses import CustomerAddresses, CustomerAddressRepository
from shopdb.customers.base import CustomerRepository
from shopdb.customers.cart_recovery import CustomerCartRecovery, CustomerCartRecoveryRepository
from shopdb.customers.carts import CustomerCartRepository, CustomerCarts
from shopdb.customers.identity import CustomerApiKeys, CustomerSessions
from shopdb.customers.notifications import CustomerNotifications
from shopdb.customers.orders import CustomerOrderRepository, CustomerOrders
from shopdb.customers.payments import CustomerPaymentRepository, CustomerPayments
from shopdb.customers.reviews import CustomerReviewRepository, CustomerReviews

if TYPE_CHECKING:
    from shopdb.components import Components

__all__ = ["CUSTOMER_REPOSITORIES", "CustomerRepository", "CustomerView"]

CUSTOMER_REPOSITORIES: tuple[type[Repository], ...] = (
    CustomerAddressRepository,
    CustomerCartRepository,
    CustomerCartRecoveryRepository,
    CustomerOrderRepository,
    CustomerPaymentRepository,
    CustomerReviewRepository,
)
"""The owner-bound repositories: ``shopdb check`` reads their class data too."""


class CustomerView:
    """One customer's rows, on the Database (pooled statements) or on a Transaction."""

    def __init__(self, unit: Components, user_id: UUID) -> None:
        self._unit = unit
        self.user_id = user_id

    @cached_property
    def addresses(self) -> CustomerAddresses:
        """The customer's address book."""
        return CustomerAddresses(self._unit, self.user_id)

    @cached_property
    def cart_recovery(self) -> CustomerCartRecovery:
        """The customer's cart reminders: their links opened and clicked."""
        return CustomerCartRecovery(self._unit, self.user_id)

    @cached_property
    def carts(self) -> CustomerCarts:
        """The customer's carts."""
        return CustomerCarts(self._unit, self.user_id)

    @cached_property
    def notifications(self) -> CustomerNotifications:
        """The customer's notifications and their preferences."""
        return CustomerNotifications(self._unit, self.user_id)

    @cached_property
    def orders(self) -> CustomerOrders:
        """The customer's orders and their checkout."""
        return CustomerOrders(self._unit, self.user_id)

    @cached_property
    def payments(self) -> CustomerPayments:
        """The customer's payments and saved cards."""
        return CustomerPayments(self._unit, self.user_id)

    @cached_property
    def reviews(self) -> CustomerReviews:
        """The customer's own reviews."""
        return CustomerReviews(self._unit, self.user_id)

    @cached_property
    def sessions(self) -> CustomerSessions:
        """The customer's sessions."""
        return CustomerSessions(self._unit, self.user_id)

    @cached_property
    def api_keys(self) -> CustomerApiKeys:
        """The customer's API keys."""
        return CustomerApiKeys(self._unit, self.user_id)
