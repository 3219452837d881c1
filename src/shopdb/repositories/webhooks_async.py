"""WebhookRepository: endpoints, the fan-out of outbox events into deliveries, the claim of
due deliveries and the record of each attempt (sql/webhooks.sql). The HTTP side is the
dispatcher's (``shopdb.webhooks.dispatcher``, the webhooks extra): ``dispatch`` runs it."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from pydantic import SecretStr

from shopdb.core.errors import ConfigurationError, ProgrammingError
from shopdb.core.sealed import seal, unseal
from shopdb.core.unit_async import unit_of_work
from shopdb.models.audit import Actor
from shopdb.models.events import EventType
from shopdb.models.webhooks import (
    AttemptOutcome,
    ClaimedBatch,
    ClaimedDelivery,
    DeliveryStatus,
    EndpointState,
    NewId,
    NewWebhookEndpoint,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from shopdb.repositories.base_async import AsyncShopRepository
from shopdb.settings import two_factor_keys

FAN_OUT_CONSUMER = "webhooks"
"""The outbox consumer whose cursor the fan-out moves."""
MAX_ERROR = 1000
"""webhook_attempts_error_check: the longest error text kept of an attempt."""


class AsyncWebhookRepository(AsyncShopRepository):
    """Webhooks. Locks: an endpoint row FOR NO KEY UPDATE (its admin changes); the claim
    takes due delivery rows FOR UPDATE SKIP LOCKED for the instant of its statement."""

    namespace = "webhooks"
    entity = "webhook endpoint"
    tables = ("webhook_endpoints", "webhook_deliveries", "webhook_attempts")
    locks = {"lock_endpoint": WebhookEndpoint}
    queries = {
        "new_endpoint_id": NewId,
        "add_endpoint": WebhookEndpoint,
        "get_endpoint": WebhookEndpoint,
        "list_endpoints": WebhookEndpoint,
        "set_active": WebhookEndpoint,
        "is_active": None,
        "fan_out": None,
        "claim": ClaimedBatch,
        "record_attempt": WebhookAttempt,
        "deliveries_of_event": WebhookDelivery,
        "deliveries_of_endpoint": WebhookDelivery,
        "attempts_of": WebhookAttempt,
        "retry_now": None,
        "count_undelivered": None,
    }
    idempotent = frozenset({"fan_out"})
    constraint_messages = {
        "webhook_endpoints_url_check": (
            "a webhook URL is http(s)://host..., at most 2000 characters"
        ),
        "webhook_endpoints_event_types_check": "an endpoint takes one or more known event types",
        "webhook_endpoints_secret_sealed_check": "an endpoint's secret is stored sealed",
    }

    @unit_of_work
    async def add_endpoint(
        self,
        url: str,
        event_types: Iterable[EventType | str],
        secret: str | SecretStr,
        *,
        actor: Actor | None = None,
    ) -> WebhookEndpoint:
        """A new active endpoint: ``url`` receives a signed POST of every event of
        ``event_types``; ``secret`` (16-500 characters) signs them and is stored sealed
        (WEBHOOK_SECRET_KEY, else TWO_FACTOR_KEY: ConfigurationError when neither is set).
        Audited (``webhook_endpoints``/``add_endpoint``, never the secret). InvalidInput for a
        bad URL, an unknown event type or a short secret: nothing is written."""
        plain = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
        new = NewWebhookEndpoint(url=url, event_types=list(event_types), secret=plain)
        endpoint_id = (await self._get("new_endpoint_id", NewId)).id
        sealed = seal(self._keys(), new.secret.get_secret_value(), _bound(endpoint_id))
        added = await self._get(
            "add_endpoint", WebhookEndpoint, id=endpoint_id, url=new.url,
            event_types=[str(t) for t in dict.fromkeys(new.event_types)], secret_sealed=sealed,
        )  # fmt: skip
        after = EndpointState.of(added)
        return await self._audited(actor or Actor.system(), "add_endpoint", added.id, None, after,
                             entity="webhook_endpoints", result=added)  # fmt: skip

    async def get_endpoint(self, endpoint_id: UUID) -> WebhookEndpoint:
        """The endpoint (without its secret); NotFoundError otherwise."""
        return await self._get("get_endpoint", WebhookEndpoint, id=endpoint_id)

    async def list_endpoints(self) -> list[WebhookEndpoint]:
        """Every endpoint, oldest first."""
        return await self._list("list_endpoints", WebhookEndpoint)

    async def deactivate_endpoint(
        self, endpoint_id: UUID, *, actor: Actor | None = None
    ) -> WebhookEndpoint:
        """Stop sending to the endpoint: nothing more is claimed for it, and a delivery
        already claimed is not sent (the dispatcher checks right before each POST). Its
        pending deliveries wait. Audited (``webhook_endpoints``/``deactivate_endpoint``)."""
        return await self._set_active(endpoint_id, False, "deactivate_endpoint", actor)

    async def activate_endpoint(
        self, endpoint_id: UUID, *, actor: Actor | None = None
    ) -> WebhookEndpoint:
        """Send to the endpoint again, its waiting deliveries first. Audited."""
        return await self._set_active(endpoint_id, True, "activate_endpoint", actor)

    async def is_active(self, endpoint_id: UUID) -> bool:
        """Whether the endpoint exists and is active now."""
        active: bool = await self._value("is_active", id=endpoint_id)
        return active

    @unit_of_work
    async def fan_out_events(self, limit: int = 100) -> int:
        """Consume up to ``limit`` outbox events (the ``webhooks`` consumer's cursor) into
        one PENDING delivery per active endpoint that takes each one's type; how many
        events. Locks: the consumer's cursor row."""
        events = await self._tx.events.next_batch(FAN_OUT_CONSUMER, limit)
        if events:
            await self._count("fan_out", event_ids=[event.id for event in events])
        await self._tx.events.advance(FAN_OUT_CONSUMER, events)
        return len(events)

    async def claim(self, limit: int, lease_s: int) -> list[ClaimedDelivery]:
        """Lease up to ``limit`` due deliveries for ``lease_s`` seconds, one statement (its
        own short transaction on the pool): of each aggregate and endpoint only the earliest
        PENDING one (and none while an earlier event of its aggregate waits for the fan-out),
        and none of an inactive endpoint; rows another dispatcher is claiming
        are skipped (SKIP LOCKED). Each claim counts one attempt."""
        batch = await self._get(
            "claim", ClaimedBatch, limit=self._page_size(limit), lease_s=lease_s,
            consumer=FAN_OUT_CONSUMER,
        )  # fmt: skip
        return batch.rows

    async def secret_of(self, delivery: ClaimedDelivery) -> str:
        """The plain secret of a claimed delivery's endpoint (for signing, never logged)."""
        sealed = delivery.secret_sealed.get_secret_value()
        return unseal(self._keys(), sealed, _bound(delivery.endpoint_id))

    async def record_attempt(
        self,
        delivery: ClaimedDelivery,
        *,
        outcome: AttemptOutcome,
        http_status: int | None,
        latency_ms: int,
        error: str | None,
        status: DeliveryStatus,
        retry_in_s: float,
    ) -> WebhookAttempt | None:
        """Record the attempt made under ``delivery``'s lease and move the delivery on
        (DELIVERED, DEAD, or PENDING again in ``retry_in_s``); None, and nothing written,
        when the lease was lost (expired and claimed by another dispatcher)."""
        return await self._find(
            "record_attempt", WebhookAttempt, id=delivery.id, lease_token=delivery.lease_token,
            outcome=outcome, http_status=http_status, latency_ms=max(0, latency_ms),
            error=None if error is None else error[:MAX_ERROR], status=status,
            retry_in_s=retry_in_s,
        )  # fmt: skip

    async def deliveries_of_event(self, event_id: UUID) -> list[WebhookDelivery]:
        """The deliveries of one event, by endpoint."""
        return await self._list("deliveries_of_event", WebhookDelivery, event_id=event_id)

    async def deliveries_of_endpoint(self, endpoint_id: UUID) -> list[WebhookDelivery]:
        """Every delivery to one endpoint, in the order of their events."""
        return await self._list("deliveries_of_endpoint", WebhookDelivery, endpoint_id=endpoint_id)

    async def attempts_of(self, delivery_id: UUID) -> list[WebhookAttempt]:
        """Every recorded attempt of a delivery, in order."""
        return await self._list("attempts_of", WebhookAttempt, delivery_id=delivery_id)

    async def retry_now(self, delivery_id: UUID) -> None:
        """Make a PENDING or DEAD delivery due now (a dead letter replayed by an operator);
        NotFoundError for a delivered or unknown one."""
        await self._touch("retry_now", id=delivery_id)

    async def count_undelivered(self, older_than_s: float) -> int:
        """How many deliveries are still PENDING for events older than ``older_than_s``."""
        count: int = await self._value("count_undelivered", older_than_s=older_than_s)
        return count

    async def dispatch(self, limit: int = 100) -> int:
        """One batch of the dispatcher: fan new events out, claim up to ``limit`` due
        deliveries, POST each (outside any transaction), record every attempt; how many
        attempts it made. Needs the webhooks extra (httpx). On the Database only."""
        if self._in_transaction:
            raise ProgrammingError("webhooks.dispatch sends HTTP: call it on the Database")
        from shopdb.webhooks.dispatcher import AsyncDispatcher

        return await AsyncDispatcher.of(self._unit, self._context.settings).run_batch(limit)

    @unit_of_work
    async def _set_active(
        self, endpoint_id: UUID, active: bool, action: str, actor: Actor | None
    ) -> WebhookEndpoint:
        """Lock the endpoint, switch it, audit the switch. Locks: the endpoint row."""
        before = await self._lock("lock_endpoint", WebhookEndpoint, id=endpoint_id)
        after = await self._get("set_active", WebhookEndpoint, id=endpoint_id, active=active)
        states = EndpointState.of(before), EndpointState.of(after)
        return await self._audited(actor or Actor.system(), action, endpoint_id, *states,
                             entity="webhook_endpoints", result=after)  # fmt: skip

    def _keys(self) -> dict[str, bytes]:
        settings = self._context.settings
        key = settings.webhook_secret_key or settings.two_factor_key
        if key is None:
            raise ConfigurationError(
                "webhook secrets are sealed at rest: set WEBHOOK_SECRET_KEY (or TWO_FACTOR_KEY)"
            )
        return two_factor_keys(key)


def _bound(endpoint_id: UUID) -> str:
    """The associated data of an endpoint's sealed secret: it opens on this row only."""
    return f"webhook_endpoints:{endpoint_id}"
