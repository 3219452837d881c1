"""AuditRepository and the audit hook (ShopRepository._audited) against a real PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from ipaddress import IPv4Address, IPv6Address
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from pydantic import BaseModel, SecretStr

from shopdb import Database, Transaction
from shopdb.core.unit import unit_of_work
from shopdb.errors import ConstraintViolation, InvalidCursor, InvalidInput, NotFoundError
from shopdb.models import Actor, ActorType, User
from shopdb.repositories.base import ShopRepository
from tests.support.factories import new_user


class Phone(BaseModel):
    """What the audited test write reads and returns."""

    id: UUID
    phone: str | None


class AuditedPhones(ShopRepository):
    """A repository with one audited write, declared by this test module only."""

    namespace = "audited"
    entity = "user"
    sql_directory = Path(__file__).parent / "sql"
    locks = {"lock": Phone}
    queries = {"set_phone": Phone}

    @unit_of_work
    def set_phone(
        self, actor: Actor, user_id: UUID, phone: str, action: str = "set_phone"
    ) -> Phone:
        """Change the phone and audit it under ``action``."""
        before = self._lock("lock", Phone, id=user_id)
        after = self._get("set_phone", Phone, id=user_id, phone=phone)
        return self._audited(actor, action, user_id, before, after, entity="users")


@pytest.fixture
def user(tx: Transaction) -> User:
    return tx.users.create(new_user())


# --- record ----------------------------------------------------------------------------------


def test_record_stores_the_actor_the_change_and_both_states(tx: Transaction, user: User) -> None:
    actor = Actor(
        type=ActorType.ADMIN, user_id=user.id, ip_address="203.0.113.9", user_agent="curl/8"
    )

    entry = tx.audit.record(
        actor, "suspend", "users", user.id, {"status": "ACTIVE"}, {"status": "SUSPENDED"}
    )

    assert (entry.user_id, entry.actor_type, entry.action) == (user.id, ActorType.ADMIN, "suspend")
    assert (entry.entity, entry.entity_id) == ("users", str(user.id))
    assert entry.before == {"status": "ACTIVE"} and entry.after == {"status": "SUSPENDED"}
    assert entry.ip_address == IPv4Address("203.0.113.9") and entry.user_agent == "curl/8"


def test_a_system_actor_needs_no_user_and_states_may_be_absent(tx: Transaction) -> None:
    entry = tx.audit.record(Actor.system(), "purge", "sessions", "batch-1", None, None)

    assert entry.user_id is None and entry.actor_type is ActorType.SYSTEM
    assert entry.before is None and entry.after is None and entry.ip_address is None


def test_an_ipv6_address_round_trips(tx: Transaction, user: User) -> None:
    actor = Actor(type=ActorType.USER, user_id=user.id, ip_address="2001:db8::1")

    entry = tx.audit.record(actor, "login", "users", user.id, None, None)

    assert entry.ip_address == IPv6Address("2001:db8::1")


def test_a_model_state_is_stored_as_json_with_its_secrets_masked(
    tx: Transaction, user: User
) -> None:
    class WithSecret(BaseModel):
        id: UUID
        token: SecretStr

    state = WithSecret(id=user.id, token=SecretStr("tok-very-secret"))

    entry = tx.audit.record(Actor.user(user.id), "rotate", "users", user.id, None, state)

    assert entry.after == {"id": str(user.id), "token": "**********"}
    assert "tok-very-secret" not in repr(entry)


def test_a_mapping_state_may_hold_uuids_and_datetimes(tx: Transaction, user: User) -> None:
    entry = tx.audit.record(
        Actor.user(user.id),
        "update",
        "users",
        user.id,
        None,
        {"user": user.id, "at": user.created_at},
    )

    assert entry.after is not None
    assert entry.after["user"] == str(user.id)


@pytest.mark.parametrize("kind", [ActorType.USER, ActorType.ADMIN])
def test_a_user_or_admin_actor_without_a_user_is_refused(kind: ActorType) -> None:
    with pytest.raises(InvalidInput, match="user_id"):
        Actor(type=kind)


def test_an_actor_with_a_malformed_ip_is_refused() -> None:
    with pytest.raises(InvalidInput):
        Actor(type=ActorType.SYSTEM, ip_address="not-an-ip")


@pytest.mark.parametrize("action", ["", "x" * 101])
def test_an_action_outside_1_to_100_characters_is_a_constraint_violation(
    tx: Transaction, action: str
) -> None:
    with pytest.raises(ConstraintViolation) as caught, tx.savepoint():
        tx.audit.record(Actor.system(), action, "users", "1", None, None)

    assert caught.value.constraint == "audit_logs_action_check"


def test_an_empty_entity_name_is_a_constraint_violation(tx: Transaction) -> None:
    with pytest.raises(ConstraintViolation) as caught, tx.savepoint():
        tx.audit.record(Actor.system(), "purge", "", "1", None, None)

    assert caught.value.constraint == "audit_logs_entity_check"


def test_an_actor_naming_an_unknown_user_is_a_constraint_violation(tx: Transaction) -> None:
    with pytest.raises(ConstraintViolation) as caught, tx.savepoint():
        tx.audit.record(Actor.user(uuid4()), "login", "users", "1", None, None)

    assert caught.value.constraint == "audit_logs_user_id_fkey"


# --- history ---------------------------------------------------------------------------------


def test_history_is_newest_first_and_only_of_the_entity_asked(tx: Transaction, user: User) -> None:
    actions = [f"step-{n}" for n in range(5)]
    for action in actions:
        tx.audit.record(Actor.user(user.id), action, "users", user.id, None, None)
    tx.audit.record(Actor.user(user.id), "other", "users", uuid4(), None, None)
    tx.audit.record(Actor.user(user.id), "other", "orders", user.id, None, None)

    page = tx.audit.history("users", user.id, limit=50)

    assert [entry.action for entry in page.items] == actions[::-1]
    assert page.next_cursor is None


def test_history_pages_through_every_entry_without_gaps_or_duplicates(
    tx: Transaction, user: User
) -> None:
    for n in range(7):
        tx.audit.record(Actor.user(user.id), f"step-{n}", "users", user.id, None, None)

    seen: list[str] = []
    page = tx.audit.history("users", user.id, limit=3)
    seen += [entry.action for entry in page.items]
    while page.next_cursor is not None:
        page = tx.audit.history("users", user.id, limit=3, cursor=page.next_cursor)
        seen += [entry.action for entry in page.items]

    assert seen == [f"step-{n}" for n in reversed(range(7))]


def test_history_of_an_entity_without_entries_is_empty(tx: Transaction) -> None:
    page = tx.audit.history("users", uuid4())

    assert page.items == [] and page.next_cursor is None


def test_a_history_cursor_is_refused_for_another_entity(tx: Transaction, user: User) -> None:
    for n in range(3):
        tx.audit.record(Actor.user(user.id), f"step-{n}", "users", user.id, None, None)
    cursor = tx.audit.history("users", user.id, limit=1).next_cursor
    assert cursor is not None

    with pytest.raises(InvalidCursor):
        tx.audit.history("users", uuid4(), limit=1, cursor=cursor)


# --- the audit hook ------------------------------------------------------------------------


@pytest.mark.sync_only
def test_an_audited_write_records_before_and_after_in_its_transaction(
    tx: Transaction, user: User
) -> None:
    after = tx.repository(AuditedPhones).set_phone(Actor.admin(user.id), user.id, "+15550001111")

    (entry,) = tx.audit.history("users", user.id).items
    assert after.phone == "+15550001111"
    assert entry.action == "set_phone" and entry.actor_type is ActorType.ADMIN
    assert entry.before == {"id": str(user.id), "phone": None}
    assert entry.after == {"id": str(user.id), "phone": "+15550001111"}


@pytest.mark.sync_only
def test_a_write_whose_audit_record_fails_leaves_nothing(tx: Transaction, user: User) -> None:
    with pytest.raises(ConstraintViolation):
        tx.repository(AuditedPhones).set_phone(
            Actor.admin(user.id), user.id, "+15550001111", action="x" * 101
        )

    assert tx.users.get(user.id).phone is None
    assert tx.audit.history("users", user.id).items == []


@pytest.mark.sync_only
def test_a_write_that_changed_nothing_records_no_entry(tx: Transaction, user: User) -> None:
    phones = tx.repository(AuditedPhones)
    phones.set_phone(Actor.admin(user.id), user.id, "+15550001111")

    phones.set_phone(Actor.admin(user.id), user.id, "+15550001111")

    assert len(tx.audit.history("users", user.id).items) == 1


@pytest.mark.sync_only
def test_a_failing_write_records_no_audit_entry(tx: Transaction, user: User) -> None:
    with pytest.raises(NotFoundError):
        tx.repository(AuditedPhones).set_phone(Actor.admin(user.id), uuid4(), "+15550001111")

    assert tx.audit.history("users", user.id).items == []


@pytest.mark.sync_only
def test_an_audited_write_outside_a_transaction_commits_both_or_neither(db: Database) -> None:
    user = db.users.create(new_user())
    phones = db.repository(AuditedPhones)
    attempt: Callable[[str], Phone] = lambda action: phones.set_phone(  # noqa: E731
        Actor.admin(user.id), user.id, "+15550002222", action=action
    )

    with pytest.raises(ConstraintViolation):
        attempt("")
    assert db.users.get(user.id).phone is None and db.audit.history("users", user.id).items == []

    attempt("set_phone")
    assert db.users.get(user.id).phone == "+15550002222"
    assert [e.action for e in db.audit.history("users", user.id).items] == ["set_phone"]
