"""One repository per aggregate, exposed as attributes of Database and Transaction."""

from __future__ import annotations

from functools import cached_property
from typing import TypeVar

from shopdb.core.constraints import install_constraint_rules
from shopdb.core.repository import Repository, RepositoryContext, UnitOfWork
from shopdb.core.runner import Runner
from shopdb.repositories.access import AccessRepository
from shopdb.repositories.addresses import AddressRepository
from shopdb.repositories.api_keys import ApiKeyRepository
from shopdb.repositories.audit import AuditRepository
from shopdb.repositories.carts import CartRepository
from shopdb.repositories.categories import CategoryRepository
from shopdb.repositories.collections import CollectionRepository
from shopdb.repositories.coupons import CouponRepository
from shopdb.repositories.inventory import InventoryRepository
from shopdb.repositories.media import MediaRepository
from shopdb.repositories.orders import OrderRepository
from shopdb.repositories.payments import PaymentRepository
from shopdb.repositories.products import ProductRepository
from shopdb.repositories.reviews import ReviewRepository
from shopdb.repositories.security_events import SecurityEventRepository
from shopdb.repositories.seeds import SeedRepository
from shopdb.repositories.sessions import SessionRepository
from shopdb.repositories.users import UserRepository

REPOSITORIES: tuple[type[Repository], ...] = (
    UserRepository,
    CartRepository,
    AuditRepository,
    SessionRepository,
    AccessRepository,
    ApiKeyRepository,
    SecurityEventRepository,
    AddressRepository,
    CouponRepository,
    ReviewRepository,
    PaymentRepository,
    CategoryRepository,
    CollectionRepository,
    MediaRepository,
    ProductRepository,
    InventoryRepository,
    OrderRepository,
    SeedRepository,
)
"""Every repository class: `shopdb check` and the constraint translation read their data."""

install_constraint_rules(REPOSITORIES)
R = TypeVar("R", bound=Repository)


class Repositories(UnitOfWork):
    """The repository attributes (``db.users``, ...), each built on first use."""

    _runner: Runner
    _context: RepositoryContext

    def repository(self, cls: type[R]) -> R:
        """A repository of the application's own (a Repository subclass, with its own
        ``sql_directory``), bound like the built-in ones: to the pool, or to this transaction."""
        built: dict[type[Repository], Repository] = self.__dict__.setdefault("_extra", {})
        found = built.get(cls)
        if found is None:
            found = built[cls] = cls(self._runner, self._context, self)
        assert isinstance(found, cls)
        return found

    @cached_property
    def users(self) -> UserRepository:
        """Users: accounts, credentials and login bookkeeping."""
        return UserRepository(self._runner, self._context, self)

    @cached_property
    def carts(self) -> CartRepository:
        """Carts: active carts of users and guests, their lines, housekeeping."""
        return CartRepository(self._runner, self._context, self)

    @cached_property
    def audit(self) -> AuditRepository:
        """The audit log: who changed what, before and after."""
        return AuditRepository(self._runner, self._context, self)

    @cached_property
    def sessions(self) -> SessionRepository:
        """Refresh-token sessions of users."""
        return SessionRepository(self._runner, self._context, self)

    @cached_property
    def access(self) -> AccessRepository:
        """Roles, permissions and what each user holds."""
        return AccessRepository(self._runner, self._context, self)

    @cached_property
    def api_keys(self) -> ApiKeyRepository:
        """API keys of users (prefix.secret, the secret stored as HMAC-SHA-256)."""
        return ApiKeyRepository(self._runner, self._context, self)

    @cached_property
    def security_events(self) -> SecurityEventRepository:
        """Security events: logins, lockouts, password and two-factor changes."""
        return SecurityEventRepository(self._runner, self._context, self)

    @cached_property
    def addresses(self) -> AddressRepository:
        """Addresses: each user's address book, one default per user."""
        return AddressRepository(self._runner, self._context, self)

    @cached_property
    def coupons(self) -> CouponRepository:
        """Coupons: discount codes, their rules and the discount they give."""
        return CouponRepository(self._runner, self._context, self)

    @cached_property
    def reviews(self) -> ReviewRepository:
        """Reviews: one per user per product, moderated, voted on and summarised."""
        return ReviewRepository(self._runner, self._context, self)

    @cached_property
    def payments(self) -> PaymentRepository:
        """Payments: payments of orders, refunds and saved cards."""
        return PaymentRepository(self._runner, self._context, self)

    @cached_property
    def categories(self) -> CategoryRepository:
        """Categories: the tree, its moves and renames, breadcrumbs and products below a node."""
        return CategoryRepository(self._runner, self._context, self)

    @cached_property
    def collections(self) -> CollectionRepository:
        """Collections: curated groups of products in display order."""
        return CollectionRepository(self._runner, self._context, self)

    @cached_property
    def media(self) -> MediaRepository:
        """Media: assets, their product and variant links, and each owner's primary."""
        return MediaRepository(self._runner, self._context, self)

    @cached_property
    def products(self) -> ProductRepository:
        """Products with their variants: listings, search, details."""
        return ProductRepository(self._runner, self._context, self)

    @cached_property
    def inventory(self) -> InventoryRepository:
        """Stock of each variant: reservations that never oversell."""
        return InventoryRepository(self._runner, self._context, self)

    @cached_property
    def orders(self) -> OrderRepository:
        """Orders: checkout from a cart, reads with items, the state machine, figures."""
        return OrderRepository(self._runner, self._context, self)
