"""pydantic models: what goes in (New..., ...Patch) and what comes out, one module per domain."""

from shopdb.models.audit import Actor, ActorType, AuditEntry
from shopdb.models.carts import Cart, CartItem, CartLine, CartStatus, CartTotals, CartWithItems
from shopdb.models.users import (
    Credentials,
    NewUser,
    PasswordChange,
    TwoFactorSetup,
    User,
    UserPatch,
    UserStatus,
)

__all__ = [
    "Actor",
    "ActorType",
    "AuditEntry",
    "Cart",
    "CartItem",
    "CartLine",
    "CartStatus",
    "CartTotals",
    "CartWithItems",
    "Credentials",
    "NewUser",
    "PasswordChange",
    "TwoFactorSetup",
    "User",
    "UserPatch",
    "UserStatus",
]
