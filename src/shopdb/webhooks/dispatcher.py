"""The webhook dispatcher: one batch claims due deliveries in one short statement (a lease
per delivery, SKIP LOCKED), POSTs each with httpx outside any transaction, and records the
attempt under its lease. Needs the webhooks extra (``pip install 'shopdb[webhooks]'``)."""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from shopdb.extras import require

require("the webhook dispatcher", extra="webhooks")

import httpx

from shopdb.core.errors import ProgrammingError
from shopdb.models.webhooks import AttemptOutcome, ClaimedDelivery, DeliveryStatus
from shopdb.webhooks.metrics import ATTEMPT_SECONDS, ATTEMPTS
from shopdb.webhooks.signing import HEADER, sign

if TYPE_CHECKING:
    from shopdb.components import Components
    from shopdb.components_async import AsyncComponents
    from shopdb.settings import Settings

log = logging.getLogger("shopdb.webhooks")
USER_AGENT = "shopdb-webhooks/1"


@dataclass(frozen=True)
class Policy:
    """Retries: the n-th retry comes ``base_s * 2**(n-1)`` seconds after the failed attempt,
    plus up to a quarter more of jitter; after ``max_attempts`` attempts a delivery is dead."""

    base_s: float
    max_attempts: int
    jitter: Callable[[], float] = random.random

    def retry_in(self, attempt: int) -> float:
        """Seconds before the attempt after the failed attempt number ``attempt``."""
        delay: float = self.base_s * 2.0 ** (attempt - 1)
        return delay * (1.0 + 0.25 * float(self.jitter()))


def body_of(delivery: ClaimedDelivery) -> bytes:
    """The JSON body POSTed for a delivery: the event's id, type, aggregate and payload."""
    document = {
        "id": str(delivery.event_id),
        "type": delivery.event_type.value,
        "aggregate": {
            "type": delivery.aggregate_type.value,
            "id": str(delivery.aggregate_id),
            "sequence": delivery.sequence,
        },
        "created_at": delivery.occurred_at.isoformat(),
        "data": delivery.payload,
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


class Dispatcher:
    """Sends the due deliveries of one Database; ``run_batch`` is one batch."""

    def __init__(self, unit: Components, settings: Settings, client: httpx.Client) -> None:
        self._unit = unit
        self._settings = settings
        self._client = client
        self._policy = Policy(settings.webhook_retry_base_s, settings.webhook_max_attempts)

    @classmethod
    def of(cls, unit: Components, settings: Settings) -> Dispatcher:
        """The dispatcher of a Database (one HTTP client per Database, kept for reuse)."""
        found = unit.__dict__.get("_webhook_dispatcher")
        if found is None:
            client = httpx.Client(
                timeout=httpx.Timeout(settings.webhook_timeout_s),
                follow_redirects=False,
                headers={"User-Agent": USER_AGENT},
            )
            found = unit.__dict__["_webhook_dispatcher"] = cls(unit, settings, client)
        assert isinstance(found, Dispatcher)
        return found

    def run_batch(self, limit: int = 100) -> int:
        """Fan new events out, claim up to ``limit`` due deliveries and send each; how many
        attempts were made (an endpoint switched off after the claim gets no POST, and no
        attempt is counted for it)."""
        webhooks = self._unit.webhooks
        webhooks.fan_out_events(limit)
        claimed = webhooks.claim(limit, self._settings.webhook_lease_s)
        return sum(self._attempt(delivery) for delivery in claimed)

    def _attempt(self, delivery: ClaimedDelivery) -> int:
        webhooks = self._unit.webhooks
        if not webhooks.is_active(delivery.endpoint_id):
            return 0  # switched off since the claim: its lease simply runs out
        secret = webhooks.secret_of(delivery)
        body = body_of(delivery)
        headers = {
            "Content-Type": "application/json",
            "Shopdb-Event-Id": str(delivery.event_id),
            "Shopdb-Event-Type": delivery.event_type.value,
            "Shopdb-Delivery-Id": str(delivery.id),
            "Shopdb-Attempt": str(delivery.attempt),
            HEADER: sign(secret, body),
        }
        started = time.perf_counter()
        http_status: int | None = None
        error: str | None = None
        try:
            answer = self._client.post(delivery.url, content=body, headers=headers)
            http_status = answer.status_code
            if not 200 <= http_status < 300:
                error = f"HTTP {http_status}"
        except httpx.HTTPError as exc:
            error = _scrubbed(f"{type(exc).__name__}: {exc}", secret)
        elapsed = time.perf_counter() - started
        self._record(delivery, http_status, error, elapsed)
        return 1

    def _record(
        self, delivery: ClaimedDelivery, http_status: int | None, error: str | None,
        elapsed: float,
    ) -> None:  # fmt: skip
        succeeded = error is None
        if succeeded:
            status, retry_in = DeliveryStatus.DELIVERED, 0.0
        elif delivery.attempt >= self._policy.max_attempts:
            status, retry_in = DeliveryStatus.DEAD, 0.0
        else:
            status, retry_in = DeliveryStatus.PENDING, self._policy.retry_in(delivery.attempt)
        outcome = AttemptOutcome.SUCCEEDED if succeeded else AttemptOutcome.FAILED
        kept = self._unit.webhooks.record_attempt(
            delivery, outcome=outcome, http_status=http_status,
            latency_ms=round(elapsed * 1000), error=error, status=status, retry_in_s=retry_in,
        )  # fmt: skip
        ATTEMPTS.labels(outcome=outcome.value.lower()).inc()
        ATTEMPT_SECONDS.observe(elapsed)
        log.info(
            "webhook delivery %s attempt %d to endpoint %s: %s (HTTP %s, %d ms)%s",
            delivery.id, delivery.attempt, delivery.endpoint_id, status.value,
            http_status if http_status is not None else "-", round(elapsed * 1000),
            "" if kept is not None else "; its lease was lost, the attempt is not recorded",
        )  # fmt: skip


def _scrubbed(text: str, secret: str) -> str:
    """``text`` without the secret (no httpx message should hold it; this makes sure)."""
    return text.replace(secret, "[secret]") if secret else text


class AsyncDispatcher:
    """AsyncDatabase's twin of Dispatcher: not built yet. ``webhooks.dispatch`` on an
    AsyncDatabase raises ProgrammingError; run the dispatcher on the sync Database (``shopdb
    dispatch`` does), which the outbox written by either API feeds alike."""

    @classmethod
    def of(cls, unit: AsyncComponents, settings: Settings) -> AsyncDispatcher:
        """Refuses: AsyncDatabase does not dispatch webhooks yet."""
        raise ProgrammingError(
            "webhooks.dispatch is not on AsyncDatabase yet: run `shopdb dispatch` (or "
            "db.webhooks.dispatch on the sync Database); the outbox is the same"
        )

    async def run_batch(self, limit: int = 100) -> int:
        """Never reached: ``of`` refuses."""
        raise AssertionError("AsyncDispatcher is never built")
