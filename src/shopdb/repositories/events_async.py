"""EventRepository: the transactional outbox (sql/events.sql). A service or repository
writes an event in the unit of work of its change with one line,
``await self._tx.events.record(OrderPaid.of(order))``: it commits with the change or not at all.
The outbox's consumers (the webhooks' fan-out, the notifications) read it through a cursor
each: ``next_batch`` then ``advance`` in one transaction, so each event is consumed once."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from shopdb.core.unit_async import in_transaction
from shopdb.models.events import (
    AggregateType,
    ConsumerCursor,
    EventPayload,
    InventoryLowStock,
    OrderEvent,
    OutboxEvent,
    ReviewApproved,
)
from shopdb.models.inventory import Inventory
from shopdb.models.orders import Order
from shopdb.models.reviews import Review, ReviewStatus
from shopdb.repositories.base_async import AsyncShopRepository


class AsyncEventRepository(AsyncShopRepository):
    """The outbox. Locks: a consumer's cursor row FOR NO KEY UPDATE (``next_batch``)."""

    namespace = "events"
    entity = "event"
    tables = ("outbox_events", "outbox_consumers")
    locks = {"lock_consumer": ConsumerCursor}
    queries = {
        "record": OutboxEvent,
        "history": OutboxEvent,
        "get": OutboxEvent,
        "ensure_consumer": None,
        "events_after": OutboxEvent,
        "advance": ConsumerCursor,
        "get_consumer": ConsumerCursor,
        "count_pending": None,
        "orders_of": Order,
    }
    idempotent = frozenset({"ensure_consumer"})
    json_parameters = frozenset({"payload"})
    constraint_messages = {
        "outbox_events_aggregate_type_aggregate_id_sequence_key": (
            "another transaction wrote an event of this aggregate at the same time"
        ),
        "outbox_consumers_name_check": "a consumer name is 1-63 of a-z 0-9 _, a letter first",
    }

    async def record(self, event: EventPayload) -> OutboxEvent:
        """Write ``event`` (a payload model, validated when it was built) as the next event
        of its aggregate. Called in the unit of work of the change it tells of."""
        return await self._get(
            "record", OutboxEvent, aggregate_type=event.aggregate_type,
            aggregate_id=event.aggregate_id, event_type=event.event_type,
            payload=event.model_dump_json(),
        )  # fmt: skip

    async def record_low_stock(
        self, before: Iterable[Inventory], after: list[Inventory]
    ) -> list[OutboxEvent]:
        """An ``inventory.low_stock`` event for each row of ``after`` whose available stock
        has just fallen to its threshold or below (it was above in ``before``)."""
        was = {row.product_variant_id: row.quantity_available for row in before}
        return [await self.record(event) for event in InventoryLowStock.crossings(was, after)]

    async def record_order_status(self, order: Order) -> OutboxEvent | None:
        """The event of the status ``order`` has just moved to (order.paid, .cancelled,
        .shipped, .delivered; none for FULFILLED)."""
        event = OrderEvent.for_status(order)
        return None if event is None else await self.record(event)

    async def record_orders_changed(self, order_ids: list[UUID]) -> list[OutboxEvent]:
        """The status event of each order of a batch that has just moved them (read back in
        the same transaction), in order id order."""
        orders = await self._list("orders_of", Order, ids=order_ids) if order_ids else []
        return [e for order in orders if (e := await self.record_order_status(order)) is not None]

    async def record_review(self, review: Review) -> OutboxEvent | None:
        """``review.approved`` for a review that has just been approved (nothing for a
        rejection)."""
        approved = review.status is ReviewStatus.APPROVED
        return await self.record(ReviewApproved.of(review)) if approved else None

    async def get(self, event_id: UUID) -> OutboxEvent:
        """The event with this id; NotFoundError otherwise."""
        return await self._get("get", OutboxEvent, id=event_id)

    async def history(self, aggregate_type: AggregateType, aggregate_id: UUID) -> list[OutboxEvent]:
        """The events of one aggregate, in sequence order."""
        return await self._list(
            "history", OutboxEvent, aggregate_type=aggregate_type, aggregate_id=aggregate_id
        )

    @in_transaction
    async def next_batch(self, consumer: str, limit: int) -> list[OutboxEvent]:
        """Lock the consumer's cursor (creating it at the start of the outbox) and read up to
        ``limit`` events after it; the caller consumes them in the same transaction and
        calls ``advance``. Locks: the consumer's cursor row."""
        await self._count("ensure_consumer", name=consumer)
        cursor = await self._lock("lock_consumer", ConsumerCursor, name=consumer)
        return await self._list(
            "events_after", OutboxEvent, after_transaction_id=cursor.after_transaction_id,
            after_event_id=cursor.after_event_id, limit=self._page_size(limit),
        )  # fmt: skip

    async def advance(self, consumer: str, events: list[OutboxEvent]) -> ConsumerCursor:
        """Move the consumer's cursor past ``events`` (the batch ``next_batch`` gave)."""
        if not events:
            return await self.cursor(consumer)
        last = events[-1]
        return await self._get(
            "advance", ConsumerCursor, name=consumer, after_transaction_id=last.transaction_id,
            after_event_id=last.id, consumed=len(events),
        )  # fmt: skip

    async def cursor(self, consumer: str) -> ConsumerCursor:
        """Where a consumer stands; NotFoundError before its first batch."""
        return await self._get("get_consumer", ConsumerCursor, name=consumer)

    async def lag(self, consumer: str) -> int:
        """How many events the consumer has not consumed yet (0 before its first batch
        counts every event)."""
        found = await self._find("get_consumer", ConsumerCursor, name=consumer)
        after = (0, UUID(int=0)) if found is None else (
            found.after_transaction_id, found.after_event_id)  # fmt: skip
        pending: int = await self._value(
            "count_pending", after_transaction_id=after[0], after_event_id=after[1]
        )
        return pending
