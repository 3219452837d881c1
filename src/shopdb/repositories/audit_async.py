"""AuditRepository: the audit log over sql/audit.sql (month-partitioned audit_logs)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from pydantic import BaseModel
from pydantic_core import to_jsonable_python

from shopdb.core.paging import NEWEST_FIRST, CursorPage
from shopdb.models.audit import Actor, AuditEntry
from shopdb.repositories.base_async import AsyncShopRepository

State = BaseModel | dict[str, Any] | None
"""The state of an entity before or after a change: a model (its secrets stay masked), a
JSON-able mapping, or None (no state: before a create, after a delete)."""


class AsyncAuditRepository(AsyncShopRepository):
    """Append-only audit entries; read back per entity, newest first."""

    namespace = "audit"
    entity = "audit entry"
    tables = ("audit_logs",)
    json_parameters = frozenset({"before", "after"})
    queries = {
        "record": AuditEntry,
        "record_each": None,
        "history": AuditEntry,
        "redact_for_user": None,
    }
    constraint_messages = {
        "audit_logs_actor_type_check": "actor_type must be USER, ADMIN or SYSTEM",
        "audit_logs_action_check": "an audit action is 1 to 100 characters",
        "audit_logs_entity_check": "an audited entity name is 1 to 100 characters",
        "audit_logs_user_id_fkey": "the acting user does not exist",
    }

    async def record(
        self, actor: Actor, action: str, entity: str, entity_id: object, before: State, after: State
    ) -> AuditEntry:
        """Append one entry. Models are stored as their JSON dump, where SecretStr fields
        are masked; ``entity_id`` is stored as text (a composite key joined by ``:``)."""
        return await self._get(
            "record",
            AuditEntry,
            user_id=actor.user_id,
            actor_type=actor.type,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            before=_json(before),
            after=_json(after),
            ip_address=actor.ip_address,
            user_agent=actor.user_agent,
        )

    async def record_each(
        self,
        actor: Actor,
        action: str,
        entity: str,
        entity_ids: Sequence[object],
        before: State,
        after: State,
    ) -> int:
        """Append one entry per id of ``entity_ids``, each with the same before and after (a
        batch of one kind of change, such as the orders an expiry cancelled), in one
        statement; how many were written."""
        return await self._count(
            "record_each", user_id=actor.user_id, actor_type=actor.type, action=action,
            entity=entity, entity_ids=[str(entity_id) for entity_id in entity_ids],
            before=_json(before), after=_json(after), ip_address=actor.ip_address,
            user_agent=actor.user_agent,
        )  # fmt: skip

    async def history(
        self, entity: str, entity_id: object, *, limit: int = 20, cursor: str | None = None
    ) -> CursorPage[AuditEntry]:
        """The entries of one entity newest first, ``limit`` at a time."""
        return await self._page(
            "history",
            AuditEntry,
            NEWEST_FIRST,
            limit=limit,
            cursor=cursor,
            entity=entity,
            entity_id=str(entity_id),
        )

    async def redact_for_user(self, user_id: UUID) -> int:
        """An erasure's step (``db.erasure.erase``, after ``users.anonymize``): the entries
        about the user keep only the non-personal keys of its states (status, flags, times),
        the entries the user acted in lose their IP address and user agent. The database
        allows exactly this change to audit_logs, and only for an erased user. How many
        entries changed."""
        return await self._count("redact_for_user", user_id=user_id)


def _json(state: State) -> str | None:
    """The JSON text of a state; a model through its JSON dump, so secrets stay masked."""
    if state is None:
        return None
    if isinstance(state, BaseModel):
        return state.model_dump_json()
    return json.dumps(to_jsonable_python(state))
