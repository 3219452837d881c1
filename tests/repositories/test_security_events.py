"""SecurityEventRepository against a real PostgreSQL."""

from __future__ import annotations

from ipaddress import IPv6Address
from typing import Any
from uuid import uuid4

import pytest

from shopdb import Transaction
from shopdb.errors import ConstraintViolation, InvalidCursor, InvalidInput
from shopdb.models import NewSecurityEvent, SecurityEvent, User
from tests.support.factories import new_user


@pytest.fixture
def user(tx: Transaction) -> User:
    return tx.users.create(new_user())


def test_record_stores_the_event_as_given(tx: Transaction, user: User) -> None:
    event = tx.security_events.record(
        NewSecurityEvent(
            type="LOGIN_FAILED",
            user_id=user.id,
            ip_address="2001:db8::7",
            user_agent="Mozilla/5.0",
            payload={"reason": "bad password", "attempt": 3},
        )
    )

    assert (event.type, event.user_id, event.user_agent) == ("LOGIN_FAILED", user.id, "Mozilla/5.0")
    assert event.ip_address == IPv6Address("2001:db8::7")
    assert event.payload == {"reason": "bad password", "attempt": 3}


def test_an_event_without_a_user_or_payload_is_stored(tx: Transaction) -> None:
    event = tx.security_events.record(NewSecurityEvent(type="RATE_LIMITED"))

    assert event.user_id is None and event.payload == {} and event.ip_address is None


def test_an_event_of_an_unknown_user_is_a_constraint_violation(tx: Transaction) -> None:
    with pytest.raises(ConstraintViolation, match="user does not exist"), tx.savepoint():
        tx.security_events.record(NewSecurityEvent(type="LOGIN_FAILED", user_id=uuid4()))


@pytest.mark.parametrize(
    "bad",
    [
        {"type": "login_failed"},
        {"type": ""},
        {"type": "A" * 65},
        {"type": "LOGIN", "ip_address": "300.1.1.1"},
        {"type": "LOGIN", "payload": [1, 2]},
        {"type": "LOGIN", "user_agent": "x" * 1001},
        {"type": "LOGIN", "other": 1},
    ],
)
def test_bad_event_input_is_refused_before_the_database(bad: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        NewSecurityEvent(**bad)


def test_list_for_user_pages_newest_first_over_that_users_events_only(
    tx: Transaction, user: User
) -> None:
    other = tx.users.create(new_user())
    types = [f"STEP_{n}" for n in range(5)]
    for event_type in types:
        tx.security_events.record(NewSecurityEvent(type=event_type, user_id=user.id))
    tx.security_events.record(NewSecurityEvent(type="STEP_0", user_id=other.id))

    seen: list[SecurityEvent] = []
    page = tx.security_events.list_for_user(user.id, limit=2)
    seen += page.items
    while page.next_cursor is not None:
        page = tx.security_events.list_for_user(user.id, limit=2, cursor=page.next_cursor)
        seen += page.items

    assert [e.type for e in seen] == types[::-1]
    assert {e.user_id for e in seen} == {user.id}


def test_list_by_type_pages_newest_first_over_that_type_only(tx: Transaction, user: User) -> None:
    kind = f"KIND_{uuid4().hex[:8].upper()}"
    made = [
        tx.security_events.record(NewSecurityEvent(type=kind, user_id=user.id)) for _ in range(3)
    ]
    tx.security_events.record(NewSecurityEvent(type="OTHER_KIND", user_id=user.id))

    first = tx.security_events.list_by_type(kind, limit=2)
    assert first.next_cursor is not None
    rest = tx.security_events.list_by_type(kind, limit=2, cursor=first.next_cursor)

    assert [e.id for e in [*first.items, *rest.items]] == [e.id for e in made[::-1]]
    assert rest.next_cursor is None


def test_a_cursor_of_one_user_is_refused_for_another(tx: Transaction, user: User) -> None:
    other = tx.users.create(new_user())
    for _ in range(2):
        tx.security_events.record(NewSecurityEvent(type="LOGIN", user_id=user.id))
    cursor = tx.security_events.list_for_user(user.id, limit=1).next_cursor
    assert cursor is not None

    with pytest.raises(InvalidCursor):
        tx.security_events.list_for_user(other.id, limit=1, cursor=cursor)


def test_a_user_without_events_has_an_empty_listing(tx: Transaction, user: User) -> None:
    page = tx.security_events.list_for_user(user.id)

    assert page.items == [] and page.next_cursor is None
