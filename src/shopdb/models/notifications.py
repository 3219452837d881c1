"""Notifications of a user, their preferences per kind and channel."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import Field, StringConstraints

from shopdb.models.base import InputModel, RowModel, Text

Kind = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_.]{0,63}$")]


class NotificationChannel(StrEnum):
    """Where a notification can reach a user; shopdb itself writes the IN_APP ones."""

    IN_APP = "IN_APP"
    EMAIL = "EMAIL"
    PUSH = "PUSH"


class NewNotification(InputModel):
    """A notification to write: its kind (``order.shipped``), title, body and data."""

    kind: Kind
    title: Annotated[Text, StringConstraints(min_length=1, max_length=200)]
    body: Annotated[Text, StringConstraints(max_length=2000)] = ""
    data: dict[str, Any] = Field(default_factory=dict)


class Notification(RowModel):
    """A notification; ``read_at`` is None while it is unread."""

    id: UUID
    user_id: UUID
    kind: str
    title: str
    body: str
    data: dict[str, Any]
    event_id: UUID | None
    read_at: datetime | None
    created_at: datetime
    updated_at: datetime


class NotificationPreference(RowModel):
    """Whether the user takes notifications of ``kind`` on ``channel`` (no row: yes)."""

    user_id: UUID
    kind: str
    channel: NotificationChannel
    enabled: bool
    created_at: datetime
    updated_at: datetime
