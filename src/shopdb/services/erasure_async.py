"""ErasureService: a user's deletion request, every aggregate that holds their personal data
anonymized together or not at all."""

from __future__ import annotations

from uuid import UUID

from shopdb.core.unit_async import unit_of_work
from shopdb.models.audit import Actor
from shopdb.models.users import User
from shopdb.services.base_async import AsyncService


class AsyncErasureService(AsyncService):
    """Erasure of a user (docs/identity.md#erasure). Locks: the user's erasure lock
    (advisory), the user row, then the user's addresses, saved cards and payments, orders and
    reviews, security events, then their audit entries."""

    @unit_of_work
    async def erase(self, user_id: UUID, actor: Actor) -> User:
        """Anonymize the user for a deletion request in one transaction: the user row
        (``users.anonymize``: email, names, phone, secrets; sessions and API keys ended), their
        addresses (deleted and anonymized, city and country kept), saved cards (deleted) and
        the card details of their payments, the address snapshots and notes of their orders
        (totals and items kept), the title and text of their reviews (ratings kept), the
        fingerprints, IP addresses and user agents of their sessions and security events
        (and the events' payloads), and what the audit log
        kept of them (``audit.redact_for_user``). Audited (``users``/``erase``) as the fact
        alone: no erased value is in the log. From its first statement until it commits,
        and for good after, the database refuses any new row of the user (migration 0063).
        NotFoundError when there is no such user or it was erased already (nothing
        changes)."""
        tx = self._tx
        erased = await tx.users.anonymize(user_id)  # first: the user row serializes two erasures
        await tx.addresses.erase_for_user(user_id)
        await tx.payments.erase_for_user(user_id)  # payments before orders: the global lock order
        await tx.orders.erase_snapshots_for_user(user_id)
        await tx.reviews.erase_text_for_user(user_id)
        await tx.sessions.erase_for_user(user_id)
        await tx.security_events.erase_for_user(user_id)
        await tx.audit.redact_for_user(user_id)
        await tx.audit.record(actor, "erase", "users", user_id, None, None)
        return erased
