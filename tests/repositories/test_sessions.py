"""SessionRepository against a real PostgreSQL."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from ipaddress import IPv4Address
from typing import Any
from uuid import uuid4

import pytest

from shopdb import Database, Transaction
from shopdb.errors import ConstraintViolation, InvalidInput, NotFoundError
from shopdb.models import NewSession, Session, User, refresh_token_hash
from tests.support.factories import new_user


@pytest.fixture
def user(tx: Transaction) -> User:
    return tx.users.create(new_user())


def age_last_seen(tx: Transaction, seconds: int, session_id: Any) -> None:
    """Move last_seen_at of a session into the past instead of waiting (test-only SQL)."""
    tx.connection.execute(
        "UPDATE user_sessions SET last_seen_at = last_seen_at - make_interval(secs => %s)"
        " WHERE id = %s",
        [seconds, session_id],
    )


def expire(tx: Transaction, session_id: Any) -> None:
    tx.connection.execute(
        "UPDATE user_sessions SET created_at = now() - interval '2 days',"
        " expires_at = now() - interval '1 day' WHERE id = %s",
        [session_id],
    )


def test_create_returns_the_token_once_and_stores_only_its_hash(
    tx: Transaction, user: User
) -> None:
    created = tx.sessions.create(
        NewSession(user_id=user.id, ip_address="198.51.100.7", user_agent="ua", fingerprint="fp")
    )
    token = created.refresh_token.get_secret_value()

    stored = tx.connection.execute(
        "SELECT refresh_token_hash FROM user_sessions WHERE id = %s", [created.session.id]
    ).fetchone()
    assert stored == (refresh_token_hash(token),)
    assert token not in repr(created) and token not in str(created)
    assert len(token) >= 43
    session = created.session
    assert (session.user_id, session.ip_address, session.user_agent) == (
        user.id,
        IPv4Address("198.51.100.7"),
        "ua",
    )
    assert session.revoked_at is None and session.last_seen_at is None


def test_two_sessions_get_different_tokens(tx: Transaction, user: User) -> None:
    one = tx.sessions.create(NewSession(user_id=user.id)).refresh_token
    two = tx.sessions.create(NewSession(user_id=user.id)).refresh_token

    assert one.get_secret_value() != two.get_secret_value()


def test_a_session_expires_after_its_ttl(tx: Transaction, user: User) -> None:
    session = tx.sessions.create(NewSession(user_id=user.id, ttl_s=3600)).session

    assert (session.expires_at - session.created_at).total_seconds() == pytest.approx(3600, abs=5)


def test_create_for_an_unknown_user_is_a_constraint_violation(tx: Transaction) -> None:
    with pytest.raises(ConstraintViolation) as caught, tx.savepoint():
        tx.sessions.create(NewSession(user_id=uuid4()))

    assert caught.value.constraint == "user_sessions_user_id_fkey"


@pytest.mark.parametrize(
    "bad", [{"ttl_s": 0}, {"ttl_s": 10**9}, {"ip_address": "nope"}, {"fingerprint": ""}, {"x": 1}]
)
def test_bad_session_input_is_refused_before_the_database(bad: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput) as caught:
        NewSession(user_id=uuid4(), **bad)

    assert [error["field"] for error in caught.value.errors] == list(bad)


def test_find_active_finds_a_live_session_by_its_token_hash(tx: Transaction, user: User) -> None:
    created = tx.sessions.create(NewSession(user_id=user.id))

    found = tx.sessions.find_active(refresh_token_hash(created.refresh_token))

    assert found == created.session


def test_find_active_ignores_unknown_revoked_and_expired_sessions(
    tx: Transaction, user: User
) -> None:
    revoked = tx.sessions.create(NewSession(user_id=user.id))
    tx.sessions.revoke(user.id, revoked.session.id)
    expired = tx.sessions.create(NewSession(user_id=user.id))
    expire(tx, expired.session.id)

    assert tx.sessions.find_active(refresh_token_hash("never-issued")) is None
    assert tx.sessions.find_active(refresh_token_hash(revoked.refresh_token)) is None
    assert tx.sessions.find_active(refresh_token_hash(expired.refresh_token)) is None
    assert tx.sessions.find_active("") is None


def test_touch_writes_last_seen_at_once_a_minute_at_most(tx: Transaction, user: User) -> None:
    session = tx.sessions.create(NewSession(user_id=user.id)).session

    assert tx.sessions.touch(user.id, session.id) is True
    assert tx.sessions.touch(user.id, session.id) is False
    age_last_seen(tx, 61, session.id)
    assert tx.sessions.touch(user.id, session.id) is True
    (listed,) = tx.sessions.list_for_user(user.id).items
    assert listed.last_seen_at is not None


def test_touch_of_a_revoked_unknown_or_other_users_session_writes_nothing(
    tx: Transaction, user: User
) -> None:
    other = tx.users.create(new_user())
    session = tx.sessions.create(NewSession(user_id=user.id)).session

    assert tx.sessions.touch(other.id, session.id) is False
    assert tx.sessions.touch(user.id, uuid4()) is False
    tx.sessions.revoke(user.id, session.id)
    assert tx.sessions.touch(user.id, session.id) is False


def test_revoke_ends_one_session_and_a_second_revoke_is_not_found(
    tx: Transaction, user: User
) -> None:
    session = tx.sessions.create(NewSession(user_id=user.id)).session
    kept = tx.sessions.create(NewSession(user_id=user.id)).session

    revoked = tx.sessions.revoke(user.id, session.id)

    assert revoked.revoked_at is not None
    assert [s.id for s in tx.sessions.list_for_user(user.id).items] == [kept.id]
    with pytest.raises(NotFoundError):
        tx.sessions.revoke(user.id, session.id)


def test_revoke_all_for_user_ends_every_live_session_of_that_user_only(
    tx: Transaction, user: User
) -> None:
    other = tx.users.create(new_user())
    for _ in range(3):
        tx.sessions.create(NewSession(user_id=user.id))
    theirs = tx.sessions.create(NewSession(user_id=other.id))

    assert tx.sessions.revoke_all_for_user(user.id) == 3
    assert tx.sessions.revoke_all_for_user(user.id) == 0
    assert tx.sessions.list_for_user(user.id).items == []
    assert tx.sessions.find_active(refresh_token_hash(theirs.refresh_token)) is not None


def test_list_for_user_pages_newest_first_without_gaps(tx: Transaction, user: User) -> None:
    made = [tx.sessions.create(NewSession(user_id=user.id)).session for _ in range(5)]

    seen: list[Session] = []
    page = tx.sessions.list_for_user(user.id, limit=2)
    seen += page.items
    while page.next_cursor is not None:
        page = tx.sessions.list_for_user(user.id, limit=2, cursor=page.next_cursor)
        seen += page.items

    expected = sorted(made, key=lambda s: (s.created_at, s.id), reverse=True)
    assert [s.id for s in seen] == [s.id for s in expected]


def test_delete_expired_deletes_only_expired_sessions_in_batches(
    tx: Transaction, user: User
) -> None:
    expired = [tx.sessions.create(NewSession(user_id=user.id)).session for _ in range(7)]
    for session in expired:
        expire(tx, session.id)
    live = tx.sessions.create(NewSession(user_id=user.id))

    deleted = tx.sessions.delete_expired(batch_size=3)

    assert deleted == 7
    assert tx.sessions.delete_expired(batch_size=3) == 0
    assert tx.sessions.find_active(refresh_token_hash(live.refresh_token)) is not None


@pytest.mark.parametrize("batch_size", [0, -1, 10_001])
def test_delete_expired_refuses_a_batch_size_out_of_range(tx: Transaction, batch_size: int) -> None:
    with pytest.raises(InvalidInput):
        tx.sessions.delete_expired(batch_size=batch_size)


def test_delete_expired_runs_one_statement_per_batch(db: Database) -> None:
    user = db.users.create(new_user())
    with db.transaction() as tx:
        for _ in range(5):
            expire(tx, tx.sessions.create(NewSession(user_id=user.id)).session.id)

    with db.capture_queries() as captured:
        assert db.sessions.delete_expired(batch_size=2) == 5

    names = [record.name for record in captured]
    assert names == ["sessions.delete_expired"] * 3


def test_find_active_is_not_blocked_by_a_running_delete_batch(db: Database) -> None:
    user = db.users.create(new_user())
    live = db.sessions.create(NewSession(user_id=user.id))
    with db.transaction() as tx:
        expire(tx, tx.sessions.create(NewSession(user_id=user.id)).session.id)
    deleting, found = threading.Event(), threading.Event()

    def delete_and_hold() -> int:
        with db.transaction() as tx:
            count = tx.sessions.delete_expired(batch_size=10)
            deleting.set()
            assert found.wait(10)
            return count

    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(delete_and_hold)
        assert deleting.wait(10)
        assert db.sessions.find_active(refresh_token_hash(live.refresh_token)) is not None
        found.set()
        assert future.result(timeout=10) == 1
