"""The request and response bodies the shop adds to shopdb's own models (which serve as
bodies where they fit: NewAddress, CartLine, Product, Order, Payment...)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Generic, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from shopdb.models import Cart, CartItem, CartTotals, PaymentProvider

T = TypeVar("T")


class Body(BaseModel):
    """A request body: unknown fields are refused (a 422), as shopdb's input models do."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Registration(Body):
    """A new account. The email is checked by shopdb's NewUser (a 422 when it refuses it)."""

    email: str
    password: Annotated[SecretStr, Field(min_length=10, max_length=200)]
    first_name: str | None = None
    last_name: str | None = None


class Login(Body):
    """An email and a password."""

    email: Annotated[str, Field(max_length=320)]
    password: Annotated[SecretStr, Field(max_length=200)]


class SessionOut(BaseModel):
    """A new session: send ``token`` as ``Authorization: Bearer <token>``. It is shown once;
    the database keeps only its SHA-256."""

    session_id: UUID
    token: str
    expires_at: datetime


class Quantity(Body):
    """A cart line's new quantity; 0 removes the line."""

    quantity: int


class CartOut(BaseModel):
    """A cart, its lines and its totals."""

    cart: Cart
    items: list[CartItem]
    totals: CartTotals


class CheckoutIn(Body):
    """What the checkout needs besides the cart (the key comes in the Idempotency-Key header)."""

    shipping_address_id: UUID
    billing_address_id: UUID
    coupon_code: str | None = None


class PaymentIn(Body):
    """Pay an order with the provider's card token (the demo provider accepts any)."""

    provider: PaymentProvider = PaymentProvider.MANUAL
    card_token: Annotated[str, Field(min_length=4, max_length=200)] = "tok_demo"  # noqa: S105 (a demo card token, no secret)
    last_four_digits: Annotated[str, Field(pattern=r"^[0-9]{4}$")] | None = None


class PageOut(BaseModel, Generic[T]):
    """One page of a keyset listing: pass ``next_cursor`` back as ``?cursor=`` for the next."""

    items: Sequence[T]
    next_cursor: str | None
