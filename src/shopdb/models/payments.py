"""Payments: payment and refund read models, the provider's authorization, saved cards."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import Field, StringConstraints, field_validator

from shopdb.core.errors import ConflictError, DomainError
from shopdb.models.base import InputModel, RowModel, Text

Bin = Annotated[str, StringConstraints(pattern=r"^[0-9]{6,8}$")]
LastFour = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}$")]
Label = Annotated[Text, StringConstraints(min_length=1, max_length=200)]
Token = Annotated[Text, StringConstraints(min_length=1, max_length=500)]
_CARD_NUMBER = re.compile(r"[0-9][0-9 -]{10,21}[0-9]")


class PaymentProvider(StrEnum):
    """Where a payment is made."""

    IYZICO = "IYZICO"
    STRIPE = "STRIPE"
    PAYPAL = "PAYPAL"
    MANUAL = "MANUAL"


class PaymentStatus(StrEnum):
    """INITIATED -> AUTHORIZED -> SETTLED -> REFUNDED; INITIATED or AUTHORIZED -> FAILED."""

    INITIATED = "INITIATED"
    AUTHORIZED = "AUTHORIZED"
    SETTLED = "SETTLED"
    FAILED = "FAILED"
    REFUNDED = "REFUNDED"


class Payment(RowModel):
    """A payment of an order; its amount and currency are the order's. No card token."""

    id: UUID
    order_id: UUID
    user_id: UUID | None
    provider: PaymentProvider
    status: PaymentStatus
    transaction_id: str | None
    conversation_id: str | None
    amount: Decimal
    paid_price: Decimal | None
    currency: str
    installment: int
    card_association: str | None
    card_family: str | None
    bin_number: str | None
    last_four_digits: str | None
    authorized_at: datetime | None
    settled_at: datetime | None
    failed_at: datetime | None
    failure_reason: str | None
    failure_code: str | None
    created_at: datetime
    updated_at: datetime


def _not_a_card_number(value: str | None) -> str | None:
    if value is not None and _CARD_NUMBER.fullmatch(value):
        raise ValueError("looks like a card number: store the provider's token only")
    return value


class Authorization(InputModel):
    """What the provider answered when it authorized a payment."""

    transaction_id: Token
    card_token: Token | None = None
    card_association: Label | None = None
    card_family: Label | None = None
    bin_number: Bin | None = None
    last_four_digits: LastFour | None = None

    _token = field_validator("card_token")(_not_a_card_number)


class Refund(RowModel):
    """A refund of a payment, whole or partial."""

    id: UUID
    payment_id: UUID
    amount: Decimal
    currency: str
    reason: str | None
    status: str
    refund_id: str | None
    processed_at: datetime | None
    created_at: datetime
    updated_at: datetime


class SavedCard(RowModel):
    """A card a user saved at the provider: no number and, in reads, no token."""

    id: UUID
    user_id: UUID
    card_alias: str | None
    bin_number: str | None
    last_four_digits: str
    card_type: str | None
    card_association: str | None
    card_family: str | None
    card_bank_name: str | None
    card_holder_name: str | None
    expiry_month: int
    expiry_year: int
    is_default: bool
    created_at: datetime
    updated_at: datetime


class NewSavedCard(InputModel):
    """A card to save: the provider's token and the last four digits, never the number."""

    card_token: Token
    card_alias: Label | None = None
    bin_number: Bin | None = None
    last_four_digits: LastFour
    card_type: Label | None = None
    card_association: Label | None = None
    card_family: Label | None = None
    card_bank_name: Label | None = None
    card_holder_name: Label | None = None
    expiry_month: Annotated[int, Field(ge=1, le=12, strict=True)]
    expiry_year: Annotated[int, Field(ge=2000, le=2100, strict=True)]

    _token = field_validator("card_token")(_not_a_card_number)


class IllegalPaymentTransition(DomainError):
    """A payment step its status does not allow (a FAILED payment cannot settle, ...), or a
    settlement whose order is no longer PENDING."""


class RefundExceedsSettled(DomainError):
    """The refunds of a payment would add up to more than it settled (or it is not settled)."""


class PaymentAmountMismatch(DomainError):
    """A settlement for another amount than the payment's: nothing is written (the database
    also refuses a SETTLED payment whose paid_price is not its amount)."""


class OrderNotPayable(DomainError):
    """A new payment of an order that is not PENDING (paid, cancelled, expired ...)."""


class LivePaymentExists(DomainError, ConflictError):
    """The order already has a live payment (INITIATED, AUTHORIZED or SETTLED): a new attempt
    starts once that one FAILED. A ConflictError too (a partial unique index)."""
