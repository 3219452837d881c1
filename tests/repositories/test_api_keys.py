"""ApiKeyRepository against a real PostgreSQL: create, authenticate, revoke, list, races."""

from __future__ import annotations

import hashlib
import hmac
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from uuid import uuid4

import pytest

from shopdb import Database, Settings, Transaction
from shopdb.errors import ConfigurationError, ConstraintViolation, InvalidInput, NotFoundError
from shopdb.models import Actor, ActorType, ApiKey, ApiKeyStatus, NewApiKey, User
from shopdb.testing import with_settings
from tests.support.factories import new_user

PEPPER = "test-api-key-pepper-0123456789abcdef"


@pytest.fixture
def user(tx: Transaction) -> User:
    return tx.users.create(new_user())


def stored_hash(tx: Transaction, key_id: Any) -> str:
    row = tx.connection.execute(
        "SELECT secret_hash FROM api_keys WHERE id = %s", [key_id]
    ).fetchone()
    assert row is not None
    return str(row[0])


def test_create_returns_the_full_key_once_and_stores_only_its_hmac(
    tx: Transaction, user: User
) -> None:
    created = tx.api_keys.create(user.id, NewApiKey(name="ci", scopes=["orders:read"]))
    key = created.key.get_secret_value()
    prefix, secret = key.split(".")

    assert created.api_key.prefix == prefix and prefix.startswith("sdb_")
    assert created.api_key.scopes == ["orders:read"]
    assert created.api_key.status is ApiKeyStatus.ACTIVE
    expected = hmac.new(PEPPER.encode(), secret.encode(), hashlib.sha256).hexdigest()
    assert stored_hash(tx, created.api_key.id) == expected
    assert secret not in repr(created) and secret not in str(created)
    assert "secret_hash" not in created.api_key.model_dump()


def test_authenticate_accepts_the_key_and_stamps_last_used_at(tx: Transaction, user: User) -> None:
    created = tx.api_keys.create(user.id, NewApiKey(name="ci"))

    found = tx.api_keys.authenticate(created.key)

    assert found is not None and found.id == created.api_key.id
    assert "secret_hash" not in found.model_dump()
    assert tx.api_keys.get_for_user(user.id, found.id).last_used_at is not None
    assert tx.api_keys.authenticate(created.key.get_secret_value()) is not None


def test_last_used_at_is_written_at_most_once_a_minute(db: Database) -> None:
    user = db.users.create(new_user())
    created = db.api_keys.create(user.id, NewApiKey(name="ci"))

    with db.capture_queries() as captured:
        for _ in range(3):
            assert db.api_keys.authenticate(created.key) is not None

    writes = [r for r in captured if r.name == "api_keys.mark_used"]
    assert [r.rows for r in writes] == [1, 0, 0]


@pytest.mark.parametrize(
    "presented",
    [
        "",
        "garbage",
        "sdb_0123456789abcdef",
        "sdb_0123456789abcdef.",
        "sdb_0123456789abcdef." + "a" * 43,
        "sdb_XYZ.abc",
        "." * 60,
    ],
)
def test_a_malformed_or_unknown_key_is_refused(tx: Transaction, presented: str) -> None:
    assert tx.api_keys.authenticate(presented) is None


def test_a_wrong_secret_with_a_real_prefix_is_refused(tx: Transaction, user: User) -> None:
    created = tx.api_keys.create(user.id, NewApiKey(name="ci"))
    prefix, secret = created.key.get_secret_value().split(".")
    flipped = ("A" if secret[0] != "A" else "B") + secret[1:]

    assert tx.api_keys.authenticate(f"{prefix}.{flipped}") is None
    assert tx.api_keys.get_for_user(user.id, created.api_key.id).last_used_at is None


def test_a_key_hashed_under_another_pepper_is_refused(db: Database, settings: Settings) -> None:
    user = db.users.create(new_user())
    created = db.api_keys.create(user.id, NewApiKey(name="ci"))

    with Database(with_settings(settings, api_key_pepper="another-pepper-" + "x" * 32)) as other:
        assert other.api_keys.authenticate(created.key) is None


def test_a_revoked_key_is_refused(tx: Transaction, user: User) -> None:
    created = tx.api_keys.create(user.id, NewApiKey(name="ci"))

    revoked = tx.api_keys.revoke(user.id, created.api_key.id, Actor.user(user.id))

    assert revoked.status is ApiKeyStatus.REVOKED and revoked.revoked_at is not None
    assert tx.api_keys.authenticate(created.key) is None


def test_an_expired_key_reads_as_expired_and_is_refused(tx: Transaction, user: User) -> None:
    created = tx.api_keys.create(user.id, NewApiKey(name="ci", ttl_s=60))
    tx.connection.execute(
        "UPDATE api_keys SET created_at = now() - interval '2 hours',"
        " expires_at = now() - interval '1 hour' WHERE id = %s",
        [created.api_key.id],
    )

    assert tx.api_keys.get_for_user(user.id, created.api_key.id).status is ApiKeyStatus.EXPIRED
    assert tx.api_keys.authenticate(created.key) is None


def test_the_key_of_a_suspended_or_deleted_user_is_refused(tx: Transaction, user: User) -> None:
    created = tx.api_keys.create(user.id, NewApiKey(name="ci"))
    other = tx.users.create(new_user())
    kept = tx.api_keys.create(other.id, NewApiKey(name="ci"))
    tx.users.suspend(user.id, Actor.system())
    assert tx.api_keys.authenticate(created.key) is None
    tx.users.reactivate(user.id, Actor.system())
    # The suspension ended the key for good: a reactivated user makes new keys.
    assert tx.api_keys.authenticate(created.key) is None
    assert tx.api_keys.get_for_user(user.id, created.api_key.id).status is ApiKeyStatus.REVOKED
    tx.users.soft_delete(other.id)

    assert tx.api_keys.authenticate(kept.key) is None
    assert tx.api_keys.get_for_user(other.id, kept.api_key.id).status is ApiKeyStatus.REVOKED


def test_revocation_is_audited_and_revoking_twice_records_once(tx: Transaction, user: User) -> None:
    created = tx.api_keys.create(user.id, NewApiKey(name="ci"))

    tx.api_keys.revoke(user.id, created.api_key.id, Actor.user(user.id))
    again = tx.api_keys.revoke(user.id, created.api_key.id, Actor.user(user.id))

    assert again.status is ApiKeyStatus.REVOKED
    (entry,) = tx.audit.history("api_keys", created.api_key.id).items
    assert (entry.action, entry.actor_type) == ("revoke", ActorType.USER)
    assert entry.before is not None and entry.before["status"] == "ACTIVE"
    assert entry.after is not None and entry.after["status"] == "REVOKED"
    assert created.key.get_secret_value().split(".")[1] not in str(entry)


def test_a_revocation_whose_audit_fails_leaves_the_key_active(tx: Transaction, user: User) -> None:
    created = tx.api_keys.create(user.id, NewApiKey(name="ci"))

    with pytest.raises(ConstraintViolation):
        tx.api_keys.revoke(user.id, created.api_key.id, Actor.admin(uuid4()))

    assert tx.api_keys.authenticate(created.key) is not None


def test_revoking_an_unknown_or_another_users_key_is_not_found(tx: Transaction, user: User) -> None:
    other = tx.users.create(new_user())
    created = tx.api_keys.create(user.id, NewApiKey(name="ci"))

    for owner, key_id in ((user.id, uuid4()), (other.id, created.api_key.id)):
        with pytest.raises(NotFoundError):
            tx.api_keys.revoke(owner, key_id, Actor.user(owner))
    assert tx.api_keys.authenticate(created.key) is not None


def test_list_for_user_pages_every_status_newest_first(tx: Transaction, user: User) -> None:
    made = [tx.api_keys.create(user.id, NewApiKey(name=f"k{n}")).api_key for n in range(5)]
    tx.api_keys.revoke(user.id, made[0].id, Actor.user(user.id))

    seen: list[ApiKey] = []
    page = tx.api_keys.list_for_user(user.id, limit=2)
    seen += page.items
    while page.next_cursor is not None:
        page = tx.api_keys.list_for_user(user.id, limit=2, cursor=page.next_cursor)
        seen += page.items

    expected = sorted(made, key=lambda k: (k.created_at, k.id), reverse=True)
    assert [k.id for k in seen] == [k.id for k in expected]
    assert {k.status for k in seen} == {ApiKeyStatus.ACTIVE, ApiKeyStatus.REVOKED}


def test_create_for_an_unknown_user_is_a_constraint_violation(tx: Transaction) -> None:
    with pytest.raises(ConstraintViolation, match="user does not exist"), tx.savepoint():
        tx.api_keys.create(uuid4(), NewApiKey(name="ci"))


@pytest.mark.parametrize(
    "bad",
    [
        {"name": ""},
        {"name": "x" * 101},
        {"name": "ci", "scopes": ["not a scope"]},
        {"name": "ci", "scopes": [f"s:a{n}" for n in range(101)]},
        {"name": "ci", "ttl_s": 1},
        {"name": "ci", "extra": 1},
    ],
)
def test_bad_key_input_is_refused_before_the_database(bad: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        NewApiKey(**bad)


def test_scopes_are_stored_once_each_and_sorted() -> None:
    assert NewApiKey(name="ci", scopes=["b:x", "a:y", "b:x"]).scopes == ["a:y", "b:x"]


def test_without_a_pepper_keys_cannot_be_made_or_checked(settings: Settings) -> None:
    with Database(with_settings(settings, api_key_pepper=None)) as bare:
        user = bare.users.create(new_user())
        with pytest.raises(ConfigurationError, match="API_KEY_PEPPER"):
            bare.api_keys.create(user.id, NewApiKey(name="ci"))
        with pytest.raises(ConfigurationError, match="API_KEY_PEPPER"):
            bare.api_keys.authenticate("sdb_0123456789abcdef." + "a" * 43)


def test_a_short_pepper_is_refused_without_echoing_it(settings: Settings) -> None:
    with pytest.raises(ConfigurationError, match="API_KEY_PEPPER") as caught:
        with_settings(settings, api_key_pepper="short-pepper")

    assert "short-pepper" not in str(caught.value)


def test_revocation_racing_authentication_refuses_every_later_attempt(db: Database) -> None:
    user = db.users.create(new_user())
    created = db.api_keys.create(user.id, NewApiKey(name="ci"))
    workers = 4
    start = threading.Barrier(workers + 1, timeout=10)
    revoked = threading.Event()
    stop = threading.Event()

    def authenticate_repeatedly(_: int) -> list[tuple[bool, bool]]:
        start.wait()
        seen = []
        while not stop.is_set():
            after_revocation = revoked.is_set()  # read before the call starts
            accepted = db.api_keys.authenticate(created.key) is not None
            seen.append((after_revocation, accepted))
            if after_revocation and len(seen) > 200:
                break
        return seen

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(authenticate_repeatedly, n) for n in range(workers)]
        start.wait()
        db.api_keys.revoke(user.id, created.api_key.id, Actor.user(user.id))
        revoked.set()
        results = [f.result(timeout=60) for f in futures]
        stop.set()

    attempts = [attempt for seen in results for attempt in seen]
    assert any(after for after, _ in attempts), "no attempt started after the revocation"
    assert not any(accepted for after, accepted in attempts if after)
    assert len(db.audit.history("api_keys", created.api_key.id).items) == 1
