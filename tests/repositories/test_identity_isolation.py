"""Isolation for a multi-user backend (issue 9, point 7): a user's sessions, API keys and
security events are read through queries that take the user id, and no such query returns,
changes or pages into another user's rows. Also: no token, key or secret in a log line."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest

from shopdb import Database, Settings, Transaction
from shopdb.core.queries import load_queries
from shopdb.errors import InvalidCursor, NotFoundError
from shopdb.models import (
    Actor,
    CreatedApiKey,
    CreatedSession,
    NewApiKey,
    NewSecurityEvent,
    NewSession,
    TwoFactorSetup,
    User,
)
from shopdb.testing import with_settings
from tests.support.factories import new_user

USER_SCOPED = {
    "sessions": {"touch", "revoke", "revoke_all_for_user", "list_for_user"},
    "api_keys": {"get_for_user", "lock_for_user", "list_for_user", "create"},
    "security_events": {"list_for_user"},
}


@pytest.mark.parametrize(
    ("namespace", "name"),
    [(namespace, name) for namespace, names in USER_SCOPED.items() for name in sorted(names)],
)
def test_every_per_user_query_takes_the_user_id(namespace: str, name: str) -> None:
    assert "user_id" in load_queries()[namespace][name].parameters


def two_users_with_everything(tx: Transaction) -> tuple[User, User, dict[Any, Any]]:
    ann, bob = tx.users.create(new_user()), tx.users.create(new_user())
    made: dict[Any, Any] = {}
    for owner in (ann, bob):
        made[owner.id] = {
            "session": tx.sessions.create(NewSession(user_id=owner.id)).session,
            "key": tx.api_keys.create(owner.id, NewApiKey(name="k")).api_key,
            "event": tx.security_events.record(NewSecurityEvent(type="LOGIN", user_id=owner.id)),
        }
    return ann, bob, made


def test_listings_return_only_the_asking_users_rows(tx: Transaction) -> None:
    ann, bob, _ = two_users_with_everything(tx)

    for owner in (ann, bob):
        assert {s.user_id for s in tx.sessions.list_for_user(owner.id).items} == {owner.id}
        assert {k.user_id for k in tx.api_keys.list_for_user(owner.id).items} == {owner.id}
        assert {e.user_id for e in tx.security_events.list_for_user(owner.id).items} == {owner.id}


def test_one_user_cannot_read_touch_or_revoke_another_users_rows(tx: Transaction) -> None:
    ann, bob, made = two_users_with_everything(tx)
    bobs_session, bobs_key = made[bob.id]["session"], made[bob.id]["key"]

    assert tx.sessions.touch(ann.id, bobs_session.id) is False
    with pytest.raises(NotFoundError):
        tx.sessions.revoke(ann.id, bobs_session.id)
    with pytest.raises(NotFoundError):
        tx.api_keys.get_for_user(ann.id, bobs_key.id)
    with pytest.raises(NotFoundError):
        tx.api_keys.revoke(ann.id, bobs_key.id, Actor.user(ann.id))
    assert tx.sessions.revoke_all_for_user(ann.id) == 1

    assert [s.id for s in tx.sessions.list_for_user(bob.id).items] == [bobs_session.id]
    assert tx.api_keys.get_for_user(bob.id, bobs_key.id).revoked_at is None


Listing = Callable[..., Any]


@pytest.mark.parametrize(
    "listing",
    [
        lambda tx: tx.sessions.list_for_user,
        lambda tx: tx.api_keys.list_for_user,
        lambda tx: tx.security_events.list_for_user,
    ],
)
def test_a_cursor_issued_to_one_user_does_not_open_another_users_listing(
    tx: Transaction, listing: Callable[[Transaction], Listing]
) -> None:
    ann, bob, _ = two_users_with_everything(tx)
    two_users_with_everything(tx)
    for owner in (ann, bob):  # a second row each so that a first page has a cursor
        tx.sessions.create(NewSession(user_id=owner.id))
        tx.api_keys.create(owner.id, NewApiKey(name="k2"))
        tx.security_events.record(NewSecurityEvent(type="LOGIN", user_id=owner.id))
    cursor = listing(tx)(ann.id, limit=1).next_cursor
    assert cursor is not None

    with pytest.raises(InvalidCursor):
        listing(tx)(bob.id, limit=1, cursor=cursor)


def test_no_token_key_or_secret_reaches_a_log_line(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with Database(with_settings(settings, slow_query_ms=0)) as db:  # every query logs a line
        made = use_every_secret(db)
    session, created = made
    logging.getLogger("shopdb.test").info("made %r and %r", session, created)
    secrets = [
        session.refresh_token.get_secret_value(),
        created.key.get_secret_value().split(".")[1],
        "JBSWY3DPEHPK3PXPJBSWY3DP",
    ]

    logged = "\n".join(record.getMessage() for record in caplog.records) + caplog.text
    assert "api_keys.find_for_authentication" in logged  # the slow-query lines were captured
    for secret in secrets:
        assert secret not in logged
        assert secret not in repr(session) and secret not in repr(created)


def use_every_secret(db: Database) -> tuple[CreatedSession, CreatedApiKey]:
    """Create, present and revoke a session, a key and a two-factor secret."""
    user = db.users.create(new_user())
    session = db.sessions.create(NewSession(user_id=user.id))
    created = db.api_keys.create(user.id, NewApiKey(name="ci"))
    db.users.enable_two_factor(user.id, TwoFactorSetup(secret="JBSWY3DPEHPK3PXPJBSWY3DP"))
    db.api_keys.authenticate(created.key)
    db.api_keys.authenticate(created.key.get_secret_value() + "x")
    db.api_keys.revoke(user.id, created.api_key.id, Actor.user(user.id))
    db.sessions.revoke(user.id, session.session.id)
    return session, created
