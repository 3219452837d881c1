"""Cart recovery: abandoned carts worth a reminder, what came of each reminder, the figures."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from shopdb.models.base import RowModel
from shopdb.models.carts import CartStatus


class RecoveryKind(StrEnum):
    """A reminder was sent, opened, its link clicked, and the cart checked out."""

    SENT = "SENT"
    OPENED = "OPENED"
    CLICKED = "CLICKED"
    RECOVERED = "RECOVERED"


class RecoveryCandidate(RowModel):
    """An active cart with items of a user with an email, idle past CART_RECOVERY_IDLE_S and
    not reminded within CART_RECOVERY_COOLDOWN_S."""

    cart_id: UUID
    user_id: UUID
    email: str
    status: CartStatus
    items: int
    subtotal: Decimal
    idle_since: datetime


class RecoveryEvent(RowModel):
    """One step of a cart's recovery; RECOVERED carries the order and its total."""

    id: UUID
    cart_id: UUID
    kind: RecoveryKind
    order_id: UUID | None
    revenue: Decimal | None
    created_at: datetime
    updated_at: datetime


class SentBatch(RowModel):
    """The SENT events one reminder run wrote, by cart id."""

    rows: list[RecoveryEvent]


class Reminder(RowModel):
    """A reminder to send: the cart, whom to write to, and the SENT event (its id is the
    token of the reminder's links: ``record_opened`` / ``record_clicked`` take it)."""

    recovery_id: UUID
    cart_id: UUID
    user_id: UUID
    email: str
    items: int
    subtotal: Decimal


class RecoveryDay(RowModel):
    """One UTC day of recovery: carts reminded, reminders opened and clicked, carts
    recovered and the revenue of their orders."""

    day: date
    contacted: int
    opened: int
    clicked: int
    recovered: int
    revenue: Decimal
