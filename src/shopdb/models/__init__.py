"""pydantic models: what goes in (New..., ...Patch) and what comes out, one module per domain."""

from shopdb.models.carts import Cart, CartItem, CartLine, CartStatus, CartTotals, CartWithItems
from shopdb.models.users import Credentials, NewUser, User, UserPatch, UserStatus

__all__ = [
    "Cart",
    "CartItem",
    "CartLine",
    "CartStatus",
    "CartTotals",
    "CartWithItems",
    "Credentials",
    "NewUser",
    "User",
    "UserPatch",
    "UserStatus",
]
