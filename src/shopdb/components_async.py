"""The repositories and services of shopdb, listed once: each is an attribute of the
Database (``db.users``: one pooled connection per statement) and of every Transaction
(``tx.users``: the transaction's connection)."""

from __future__ import annotations

from uuid import UUID

from shopdb.core.repository_async import AsyncRepository
from shopdb.core.unit_async import AsyncUnitOfWork, Bound, bound_components
from shopdb.customers.view_async import AsyncCustomerView
from shopdb.repositories.access_async import AsyncAccessRepository
from shopdb.repositories.addresses_async import AsyncAddressRepository
from shopdb.repositories.api_keys_async import AsyncApiKeyRepository
from shopdb.repositories.audit_async import AsyncAuditRepository
from shopdb.repositories.cart_recovery_async import AsyncCartRecoveryRepository
from shopdb.repositories.carts_async import AsyncCartRepository
from shopdb.repositories.categories_async import AsyncCategoryRepository
from shopdb.repositories.collections_async import AsyncCollectionRepository
from shopdb.repositories.coupons_async import AsyncCouponRepository
from shopdb.repositories.events_async import AsyncEventRepository
from shopdb.repositories.inventory_async import AsyncInventoryRepository
from shopdb.repositories.media_async import AsyncMediaRepository
from shopdb.repositories.notifications_async import AsyncNotificationRepository
from shopdb.repositories.orders_async import AsyncOrderRepository
from shopdb.repositories.payments_async import AsyncPaymentRepository
from shopdb.repositories.products_async import AsyncProductRepository
from shopdb.repositories.reviews_async import AsyncReviewRepository
from shopdb.repositories.security_events_async import AsyncSecurityEventRepository
from shopdb.repositories.sessions_async import AsyncSessionRepository
from shopdb.repositories.users_async import AsyncUserRepository
from shopdb.repositories.webhooks_async import AsyncWebhookRepository
from shopdb.services.checkout_async import AsyncCheckoutService
from shopdb.services.erasure_async import AsyncErasureService
from shopdb.services.fulfilment_async import AsyncFulfilmentService
from shopdb.services.settlement_async import AsyncSettlementService


class AsyncComponents(AsyncUnitOfWork):
    """The attributes of a Database and of a Transaction; each is built on first use."""

    users = Bound(AsyncUserRepository)
    sessions = Bound(AsyncSessionRepository)
    access = Bound(AsyncAccessRepository)
    api_keys = Bound(AsyncApiKeyRepository)
    security_events = Bound(AsyncSecurityEventRepository)
    addresses = Bound(AsyncAddressRepository)
    audit = Bound(AsyncAuditRepository)
    products = Bound(AsyncProductRepository)
    categories = Bound(AsyncCategoryRepository)
    collections = Bound(AsyncCollectionRepository)
    inventory = Bound(AsyncInventoryRepository)
    media = Bound(AsyncMediaRepository)
    carts = Bound(AsyncCartRepository)
    coupons = Bound(AsyncCouponRepository)
    orders = Bound(AsyncOrderRepository)
    payments = Bound(AsyncPaymentRepository)
    reviews = Bound(AsyncReviewRepository)
    events = Bound(AsyncEventRepository)
    webhooks = Bound(AsyncWebhookRepository)
    notifications = Bound(AsyncNotificationRepository)
    cart_recovery = Bound(AsyncCartRecoveryRepository)
    checkout = Bound(AsyncCheckoutService)
    erasure = Bound(AsyncErasureService)
    fulfilment = Bound(AsyncFulfilmentService)
    settlement = Bound(AsyncSettlementService)

    def customer(self, user_id: UUID) -> AsyncCustomerView:
        """The customer's view: their own rows only (another's are NotFoundError)."""
        return AsyncCustomerView(self, user_id)


REPOSITORIES: tuple[type[AsyncRepository], ...] = tuple(
    cls for _, cls in bound_components(AsyncComponents) if issubclass(cls, AsyncRepository)
)
"""Every repository class of shopdb: ``shopdb check`` reads their class data (and that of
``shopdb.customers.CUSTOMER_REPOSITORIES``, the customer view's owner-bound ones)."""
