"""The repositories and services of shopdb, listed once: each is an attribute of the
Database (``db.users``: one pooled connection per statement) and of every Transaction
(``tx.users``: the transaction's connection)."""

from __future__ import annotations

from uuid import UUID

from shopdb.core.repository import Repository
from shopdb.core.unit import Bound, UnitOfWork, bound_components
from shopdb.customers import CustomerView
from shopdb.repositories.access import AccessRepository
from shopdb.repositories.addresses import AddressRepository
from shopdb.repositories.api_keys import ApiKeyRepository
from shopdb.repositories.audit import AuditRepository
from shopdb.repositories.cart_recovery import CartRecoveryRepository
from shopdb.repositories.carts import CartRepository
from shopdb.repositories.categories import CategoryRepository
from shopdb.repositories.collections import CollectionRepository
from shopdb.repositories.coupons import CouponRepository
from shopdb.repositories.events import EventRepository
from shopdb.repositories.inventory import InventoryRepository
from shopdb.repositories.media import MediaRepository
from shopdb.repositories.notifications import NotificationRepository
from shopdb.repositories.orders import OrderRepository
from shopdb.repositories.payments import PaymentRepository
from shopdb.repositories.products import ProductRepository
from shopdb.repositories.reviews import ReviewRepository
from shopdb.repositories.security_events import SecurityEventRepository
from shopdb.repositories.sessions import SessionRepository
from shopdb.repositories.users import UserRepository
from shopdb.repositories.webhooks import WebhookRepository
from shopdb.services.checkout import CheckoutService
from shopdb.services.erasure import ErasureService
from shopdb.services.fulfilment import FulfilmentService
from shopdb.services.settlement import SettlementService


class Components(UnitOfWork):
    """The attributes of a Database and of a Transaction; each is built on first use."""

    users = Bound(UserRepository)
    sessions = Bound(SessionRepository)
    access = Bound(AccessRepository)
    api_keys = Bound(ApiKeyRepository)
    security_events = Bound(SecurityEventRepository)
    addresses = Bound(AddressRepository)
    audit = Bound(AuditRepository)
    products = Bound(ProductRepository)
    categories = Bound(CategoryRepository)
    collections = Bound(CollectionRepository)
    inventory = Bound(InventoryRepository)
    media = Bound(MediaRepository)
    carts = Bound(CartRepository)
    coupons = Bound(CouponRepository)
    orders = Bound(OrderRepository)
    payments = Bound(PaymentRepository)
    reviews = Bound(ReviewRepository)
    events = Bound(EventRepository)
    webhooks = Bound(WebhookRepository)
    notifications = Bound(NotificationRepository)
    cart_recovery = Bound(CartRecoveryRepository)
    checkout = Bound(CheckoutService)
    erasure = Bound(ErasureService)
    fulfilment = Bound(FulfilmentService)
    settlement = Bound(SettlementService)

    def customer(self, user_id: UUID) -> CustomerView:
        """The customer's view: their own rows only (another's are NotFoundError)."""
        return CustomerView(self, user_id)


REPOSITORIES: tuple[type[Repository], ...] = tuple(
    cls for _, cls in bound_components(Components) if issubclass(cls, Repository)
)
"""Every repository class of shopdb: ``shopdb check`` reads their class data (and that of
``shopdb.customers.CUSTOMER_REPOSITORIES``, the customer view's owner-bound ones)."""
