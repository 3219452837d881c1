"""Webhooks: endpoints, deliveries and their attempts, and the errors of a receiver's
signature check (``shopdb.webhooks.verify``)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import Field, SecretStr, StringConstraints

from shopdb.core.errors import DomainError
from shopdb.models.base import InputModel, RowModel
from shopdb.models.events import AggregateType, EventType

WebhookUrl = Annotated[str, StringConstraints(pattern=r"^https?://[^\s/]+\S*$", max_length=2000)]


class DeliveryStatus(StrEnum):
    """PENDING until delivered, or dead after the last attempt."""

    PENDING = "PENDING"
    DELIVERED = "DELIVERED"
    DEAD = "DEAD"


class AttemptOutcome(StrEnum):
    """An attempt succeeded (a 2xx answer) or failed (any other answer, or none)."""

    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class NewWebhookEndpoint(InputModel):
    """An endpoint to add: where to POST, which event types, the signing secret (16 to 500
    characters; stored sealed, never read back by the ordinary reads)."""

    url: WebhookUrl
    event_types: list[EventType] = Field(min_length=1, max_length=len(EventType))
    secret: SecretStr = Field(min_length=16, max_length=500)


class WebhookEndpoint(RowModel):
    """An endpoint as stored, without its secret."""

    id: UUID
    url: str
    event_types: list[EventType]
    active: bool
    created_at: datetime
    updated_at: datetime


class EndpointState(RowModel):
    """What the audit log records of an endpoint: where it points, what it takes, whether
    it is on (never the secret)."""

    url: str
    event_types: list[EventType]
    active: bool

    @classmethod
    def of(cls, endpoint: WebhookEndpoint) -> EndpointState:
        """The audited part of an endpoint."""
        return cls(url=endpoint.url, event_types=endpoint.event_types, active=endpoint.active)


class ClaimedDelivery(RowModel):
    """A delivery leased to one dispatcher: attempt ``attempt`` of it, with what to send."""

    id: UUID
    endpoint_id: UUID
    event_id: UUID
    attempt: int
    lease_token: UUID
    url: str
    secret_sealed: SecretStr
    event_type: EventType
    aggregate_type: AggregateType
    aggregate_id: UUID
    sequence: int
    payload: dict[str, Any]
    occurred_at: datetime


class ClaimedBatch(RowModel):
    """The deliveries one claim leased, in aggregate and sequence order."""

    rows: list[ClaimedDelivery]


class NewId(RowModel):
    """An id drawn from the database before its row is written."""

    id: UUID


class WebhookDelivery(RowModel):
    """One event to one endpoint."""

    id: UUID
    endpoint_id: UUID
    event_id: UUID
    aggregate_type: AggregateType
    aggregate_id: UUID
    sequence: int
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    lease_expires_at: datetime | None
    last_error: str | None
    delivered_at: datetime | None
    created_at: datetime
    updated_at: datetime


class WebhookAttempt(RowModel):
    """One attempt of a delivery: its outcome, HTTP status (None: no answer), latency, error."""

    id: UUID
    delivery_id: UUID
    attempt: int
    outcome: AttemptOutcome
    http_status: int | None
    latency_ms: int
    error: str | None
    created_at: datetime
    updated_at: datetime


class WebhookSignatureError(DomainError):
    """A webhook's signature does not prove it came from shopdb with this secret, now."""


class SignatureHeaderMalformed(WebhookSignatureError):
    """The Shopdb-Signature header is missing or not ``t=<seconds>,v1=<hex>``."""


class SignatureMismatch(WebhookSignatureError):
    """No v1 signature of the header is the HMAC of this body under this secret."""


class SignatureExpired(WebhookSignatureError):
    """The signature's timestamp is further from now than the tolerance: a replay."""
