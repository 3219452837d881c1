"""The prod data: roles, permissions (domain:action) and their links, and the admin user."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import SecretStr

from shopdb.core.errors import InvalidInput
from shopdb.models import Actor, NewUser
from shopdb.models.seeds import SeedConfigurationError
from shopdb.seeds.passwords import hash_password
from shopdb.seeds.store import SeedRepository
from shopdb.transaction import Transaction

ADMIN_PASSWORD_ENV = "SHOPDB_ADMIN_PASSWORD"  # noqa: S105 (the name of the variable)
ADMIN_EMAIL_ENV = "SHOPDB_ADMIN_EMAIL"
DEFAULT_ADMIN_EMAIL = "admin@example.com"
MIN_ADMIN_PASSWORD_LENGTH = 12

ROLES: tuple[tuple[str, str], ...] = (
    ("customer", "Shops: browses, keeps a cart, places and follows its own orders, reviews"),
    ("staff", "Runs the shop: catalogue, stock, order fulfilment, review moderation"),
    ("admin", "Everything, including users, roles, refunds and the audit log"),
)

PERMISSIONS: tuple[tuple[str, str], ...] = (
    ("products:read", "See products, variants and stock levels"),
    ("products:write", "Create and edit products and variants"),
    ("products:delete", "Archive and delete products"),
    ("categories:write", "Create, move and rename categories and collections"),
    ("inventory:read", "See on-hand and reserved stock"),
    ("inventory:adjust", "Restock and correct stock counts"),
    ("carts:write", "Keep a cart"),
    ("orders:create", "Check out a cart"),
    ("orders:read_own", "See one's own orders"),
    ("orders:read", "See every order"),
    ("orders:update_status", "Move orders through fulfilment"),
    ("orders:cancel", "Cancel an order"),
    ("orders:refund", "Refund an order"),
    ("payments:read", "See payments"),
    ("payments:refund", "Refund a payment at the provider"),
    ("coupons:read", "See coupons"),
    ("coupons:write", "Create and deactivate coupons"),
    ("reviews:write", "Write reviews of bought products"),
    ("reviews:moderate", "Approve and reject reviews"),
    ("addresses:write", "Keep an address book"),
    ("users:read", "See user accounts"),
    ("users:write", "Edit user accounts"),
    ("users:suspend", "Suspend and reactivate users"),
    ("roles:manage", "Grant and revoke roles and permissions"),
    ("audit:read", "Read the audit log"),
)

_CUSTOMER = (
    "products:read",
    "carts:write",
    "orders:create",
    "orders:read_own",
    "reviews:write",
    "addresses:write",
)
_STAFF = (
    "products:read",
    "products:write",
    "categories:write",
    "inventory:read",
    "inventory:adjust",
    "orders:read",
    "orders:update_status",
    "orders:cancel",
    "coupons:read",
    "reviews:moderate",
    "users:read",
    "payments:read",
)
ROLE_PERMISSIONS: Mapping[str, tuple[str, ...]] = {
    "customer": _CUSTOMER,
    "staff": _STAFF,
    "admin": tuple(key for key, _ in PERMISSIONS),
}


@dataclass(frozen=True, slots=True)
class AdminAccount:
    """The admin user to create: its email and the argon2id hash of its password."""

    email: str
    password_hash: SecretStr


def admin_from_environment(environ: Mapping[str, str] | None = None) -> AdminAccount:
    """The admin account from SHOPDB_ADMIN_PASSWORD (required, at least 12 characters) and
    SHOPDB_ADMIN_EMAIL (admin@example.com by default). The password is hashed at once and
    never kept, logged or shown; SeedConfigurationError says what is missing."""
    env = os.environ if environ is None else environ
    password = env.get(ADMIN_PASSWORD_ENV, "")
    if not password:
        raise SeedConfigurationError(
            f"the prod profile creates the admin user: set {ADMIN_PASSWORD_ENV} to its password "
            f"(at least {MIN_ADMIN_PASSWORD_LENGTH} characters); nothing was written"
        )
    if len(password) < MIN_ADMIN_PASSWORD_LENGTH:
        raise SeedConfigurationError(
            f"{ADMIN_PASSWORD_ENV} is shorter than {MIN_ADMIN_PASSWORD_LENGTH} characters; "
            "nothing was written"
        )
    email = env.get(ADMIN_EMAIL_ENV) or DEFAULT_ADMIN_EMAIL
    account = AdminAccount(email, SecretStr(hash_password(password)))
    try:
        _new_admin(account)
    except InvalidInput:
        raise SeedConfigurationError(
            f"{ADMIN_EMAIL_ENV} is not an email address; nothing was written"
        ) from None
    return account


def seed_access(store: SeedRepository) -> None:
    """The roles, the permissions and which role grants which (upserts on name and key)."""
    store.upsert_roles(ROLES)
    store.upsert_permissions(PERMISSIONS)
    links = [(role, key) for role, keys in ROLE_PERMISSIONS.items() for key in keys]
    store.link_role_permissions(links)


def seed_admin(tx: Transaction, account: AdminAccount) -> bool:
    """Create the admin user (email verified, role admin) unless a user with its email is
    there; an existing user keeps its password. Returns True when it created the user."""
    user = tx.users.find_by_email(account.email)
    created = user is None
    if user is None:
        user = tx.users.create(_new_admin(account))
        tx.users.verify_email(user.id)
    role = tx.access.find_role("admin")
    assert role is not None, "seed_access writes the admin role first"
    tx.access.assign_role(user.id, role.id, Actor.system())
    return created


def _new_admin(account: AdminAccount) -> NewUser:
    return NewUser(
        email=account.email,
        password_hash=account.password_hash,
        first_name="Shop",
        last_name="Admin",
    )
