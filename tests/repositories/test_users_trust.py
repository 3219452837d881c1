"""Issue 23, identity that stays shut: sessions and keys end with the account, the status moves
only through suspend/reactivate, a new email is unverified, a restore keeps a suspension, 2FA
secrets are sealed at rest, erasure, errors without values, cursors shared by processes."""

from __future__ import annotations

import traceback
from uuid import UUID, uuid4

import pytest
from pydantic import SecretStr

from shopdb import Database, Settings, Transaction
from shopdb.errors import ConfigurationError, ConflictError, ConstraintViolation, NotFoundError
from shopdb.models import Actor, NewApiKey, NewSession, User, UserPatch, UserStatus
from shopdb.models.payments import NewSavedCard
from shopdb.models.sessions import refresh_token_hash
from shopdb.models.users import TwoFactorSetup
from shopdb.testing import with_settings
from tests.support.factories import new_user

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"


@pytest.fixture
def user(tx: Transaction) -> User:
    return tx.users.create(new_user())


def stored_two_factor_secret(tx: Transaction, user_id: UUID) -> object:
    query = "SELECT two_factor_secret FROM users WHERE id = %s"
    row = tx.connection.execute(query, [user_id]).fetchone()
    assert row is not None
    return row[0]


@pytest.mark.parametrize("end", ["suspend", "soft_delete", "erase"])
def test_ending_an_account_ends_its_sessions_and_api_keys(
    tx: Transaction, user: User, end: str
) -> None:
    session = tx.sessions.create(NewSession(user_id=user.id))
    key = tx.api_keys.create(user.id, NewApiKey(name="ci"))

    if end == "soft_delete":
        tx.users.soft_delete(user.id)
    else:
        getattr(tx.users, end)(user.id, Actor.system())

    assert (
        tx.sessions.find_active(refresh_token_hash(session.refresh_token.get_secret_value()))
        is None
    )
    assert tx.sessions.list_for_user(user.id).items == []
    assert tx.api_keys.authenticate(key.key) is None


def test_find_active_refuses_a_session_whose_user_is_not_active_even_unrevoked(
    tx: Transaction, user: User
) -> None:
    session = tx.sessions.create(NewSession(user_id=user.id))
    token = refresh_token_hash(session.refresh_token.get_secret_value())
    # The race: the status moved but the revocation of the sessions has not run.
    tx.connection.execute("UPDATE users SET status = 'SUSPENDED' WHERE id = %s", [user.id])

    assert tx.sessions.find_active(token) is None


def test_changing_the_email_clears_its_verification_and_records_an_event(
    tx: Transaction, user: User
) -> None:
    tx.users.verify_email(user.id)

    changed = tx.users.update(user.id, UserPatch(email="moved@example.org"))
    same = tx.users.update(user.id, UserPatch(first_name="Bo"))

    assert (changed.email_verified, changed.email_verified_at) == (False, None)
    events = tx.security_events.list_for_user(user.id).items
    assert [e.type for e in events] == ["EMAIL_CHANGED"]
    assert "moved@example.org" not in str(events[0].payload)
    assert same.email == "moved@example.org"


def test_restoring_a_deleted_suspended_user_keeps_the_suspension(
    tx: Transaction, user: User
) -> None:
    tx.users.suspend(user.id, Actor.system())
    tx.users.soft_delete(user.id)

    assert tx.users.restore(user.id).status is UserStatus.SUSPENDED


def test_the_two_factor_secret_is_sealed_at_rest_and_opens_for_get_credentials(
    tx: Transaction, user: User
) -> None:
    tx.users.enable_two_factor(user.id, TwoFactorSetup(secret=SecretStr(SECRET)))

    at_rest = str(stored_two_factor_secret(tx, user.id))
    credentials = tx.users.get_credentials(user.email)

    assert at_rest.startswith("aesgcm:t1:") and SECRET not in at_rest
    assert credentials is not None and credentials.two_factor_secret is not None
    assert credentials.two_factor_secret.get_secret_value() == SECRET


def test_enabling_two_factor_without_the_key_is_a_configuration_error(
    db: Database, settings: Settings
) -> None:
    user = db.users.create(new_user())
    keyless = Database(with_settings(settings, two_factor_key=None))
    with keyless, pytest.raises(ConfigurationError):
        keyless.users.enable_two_factor(user.id, TwoFactorSetup(secret=SecretStr(SECRET)))


def test_erase_anonymizes_the_user_and_audits_only_the_fact(tx: Transaction, user: User) -> None:
    erased = tx.users.erase(user.id, Actor.system())

    assert user.email not in erased.email and erased.first_name is None
    assert erased.status is UserStatus.DELETED
    assert not tx.users.email_exists(user.email)
    entry = tx.audit.history("users", user.id).items[0]
    assert (entry.action, entry.before, entry.after) == ("erase", None, None)
    with pytest.raises(NotFoundError):
        tx.users.restore(user.id)


def test_no_error_traceback_holds_a_duplicate_value(db: Database) -> None:
    email, token = f"taken-{uuid4().hex}@example.org", f"tok_{uuid4().hex}"  # not in the source
    user = db.users.create(new_user(email=email))
    card = NewSavedCard(
        card_token=token, last_four_digits="4242", expiry_month=12, expiry_year=2099
    )
    db.payments.save_card(user.id, card)
    failures: list[ConflictError | ConstraintViolation] = []
    for attempt in (
        lambda: db.users.create(new_user(email=email.upper())),
        lambda: db.payments.save_card(user.id, card),
        lambda: db.api_keys.create(UUID(int=7), NewApiKey(name="ci")),
    ):
        with pytest.raises((ConflictError, ConstraintViolation)) as caught:
            attempt()
        assert isinstance(caught.value, ConflictError | ConstraintViolation)
        failures.append(caught.value)

    for error in failures:
        text = "".join(traceback.format_exception(error)).lower()
        assert error.__cause__ is None and error.__context__ is None
        assert email not in text and token not in text
        assert str(UUID(int=7)) not in text and "detail" not in text
    assert [e.constraint for e in failures[:1]] == ["users_email_lower_key"]


def test_cursors_page_across_two_databases_without_a_cursor_secret(settings: Settings) -> None:
    shared = with_settings(settings, cursor_secret=None)
    with Database(shared) as one, Database(shared) as two:
        for _ in range(3):
            one.users.create(new_user())
        first = one.users.list_users(limit=1)
        assert first.next_cursor is not None
        second = two.users.list_users(limit=1, cursor=first.next_cursor)
        third = one.users.list_users(limit=1, cursor=second.next_cursor)

    assert len({first.items[0].id, second.items[0].id, third.items[0].id}) == 3


def test_a_cursor_secret_shorter_than_32_characters_is_refused(settings: Settings) -> None:
    with pytest.raises(ConfigurationError):
        Settings(database_url=settings.database_url, cursor_secret="short")
