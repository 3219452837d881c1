"""UserRepository against a real PostgreSQL: every method, its errors and its properties.

Each test gets its own copy of the migrated template database (the ``db`` fixture), so
counts start at zero; hypothesis examples each run in a transaction that is rolled back.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from psycopg.rows import dict_row
from pydantic import SecretStr

from shopdb import Database, Settings
from shopdb.core.paging import CursorCodec, CursorPage
from shopdb.core.queries import load_queries
from shopdb.database import Transaction
from shopdb.errors import (
    AccountLocked,
    ConflictError,
    ConstraintViolation,
    InvalidCredentials,
    InvalidCursor,
    InvalidInput,
    NotFoundError,
)
from shopdb.models import NewUser, User, UserPatch, UserStatus
from shopdb.models.audit import Actor
from shopdb.testing import with_settings
from tests.support.factories import BCRYPT_ALPHABET, HASH, new_user, unique_email

SECRET_FIELDS = {"password_hash", "two_factor_secret"}


class _Rollback(Exception):
    """Raised at the end of a block on purpose, so that its transaction leaves nothing behind."""


@contextmanager
def rolled_back(db: Database) -> Iterator[Transaction]:
    """A transaction that is always rolled back; failures inside it still propagate."""
    try:
        with db.transaction() as tx:
            yield tx
            raise _Rollback
    except _Rollback:
        pass


def all_pages(
    db: Database, *, limit: int, status: UserStatus | None = None
) -> list[CursorPage[User]]:
    """Every page of a listing, following next_cursor until there is none."""
    pages = [db.users.list_users(status=status, limit=limit)]
    while pages[-1].next_cursor is not None:
        pages.append(db.users.list_users(status=status, limit=limit, cursor=pages[-1].next_cursor))
        assert len(pages) < 100, "the listing never ends"
    return pages


def newest_first(users: list[User]) -> list[UUID]:
    """The ids in the order a listing must return them."""
    return [user.id for user in sorted(users, key=lambda u: (u.created_at, u.id), reverse=True)]


# --- create, get, get_including_deleted ---------------------------------------------------


def test_created_user_can_be_read_back(tx: Transaction) -> None:
    user = tx.users.create(NewUser(email="ann@example.com", password_hash=HASH, first_name="Ann"))

    assert tx.users.get(user.id) == user


def test_a_new_user_is_stored_as_given_and_starts_active_and_clean(tx: Transaction) -> None:
    new = new_user(email="Bob.Smith@Example.com", first_name="Bob", last_name="Smith")

    user = tx.users.create(new)

    assert (user.email, user.first_name, user.last_name, user.phone) == (
        "Bob.Smith@Example.com",
        "Bob",
        "Smith",
        None,
    )
    assert user.status is UserStatus.ACTIVE
    assert (user.email_verified, user.email_verified_at, user.two_factor_enabled) == (
        False,
        None,
        False,
    )
    assert (user.failed_login_count, user.lockout_until, user.last_login_at) == (0, None, None)
    assert user.deleted_at is None
    assert user.id.version == 7


def server_clock(conn: psycopg.Connection[Any]) -> datetime:
    """The server's wall clock (clock_timestamp, not the transaction's now())."""
    row = conn.execute("SELECT clock_timestamp()").fetchone()
    assert row is not None
    clock: datetime = row[0]
    return clock


def test_created_at_and_updated_at_are_set_by_the_database(
    db: Database, postgresql: psycopg.Connection[Any]
) -> None:
    before = server_clock(postgresql)

    user = db.users.create(new_user())

    after = server_clock(postgresql)
    assert before <= user.created_at <= after
    assert user.updated_at == user.created_at


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param(
            {
                "email": "a" * 64 + "@" + "b" * 251 + ".com",
                "password_hash": "$2b$" + "c" * 1020,
                "first_name": "F" * 100,
                "last_name": "\U0001f600" * 100,
                "phone": "+123456789012345",
            },
            id="longest",
        ),
        pytest.param(
            {
                "email": "a@b.c",
                "password_hash": "$2b$" + "c" * 16,
                "first_name": "F",
                "last_name": "L",
                "phone": "+1234567",
            },
            id="shortest",
        ),
    ],
)
def test_values_at_the_limits_of_the_model_are_accepted_by_the_database(
    tx: Transaction, fields: dict[str, str]
) -> None:
    new = NewUser.model_validate(fields)

    user = tx.users.create(new)

    assert tx.users.get(user.id) == user
    assert (user.email, user.first_name, user.last_name, user.phone) == (
        fields["email"],
        fields["first_name"],
        fields["last_name"],
        fields["phone"],
    )


def test_get_of_an_unknown_id_is_not_found(tx: Transaction) -> None:
    with pytest.raises(NotFoundError):
        tx.users.get(uuid4())


def test_get_including_deleted_of_an_unknown_id_is_not_found(tx: Transaction) -> None:
    with pytest.raises(NotFoundError):
        tx.users.get_including_deleted(uuid4())


def test_get_including_deleted_returns_a_live_user_too(tx: Transaction) -> None:
    user = tx.users.create(new_user())

    assert tx.users.get_including_deleted(user.id) == user


# --- find_by_email --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "asked", ["mia.wong@example.com", "MIA.WONG@EXAMPLE.COM", "Mia.Wong@eXample.Com"]
)
def test_find_by_email_matches_in_any_letter_case(tx: Transaction, asked: str) -> None:
    user = tx.users.create(new_user(email="Mia.Wong@Example.com"))

    assert tx.users.find_by_email(asked) == user


def test_find_by_email_returns_none_for_an_unknown_email(tx: Transaction) -> None:
    tx.users.create(new_user(email="known@example.com"))

    assert tx.users.find_by_email("unknown@example.com") is None


# --- uniqueness: ConflictError, nothing written ---------------------------------------------


@pytest.mark.parametrize(
    "second",
    ["ann@example.com", "ANN@EXAMPLE.COM", "Ann@Example.Com", "aNN@examPLE.com"],
)
def test_duplicate_email_in_any_letter_case_is_a_conflict_and_writes_nothing(
    db: Database, second: str
) -> None:
    first = db.users.create(new_user(email="ann@example.com"))

    with pytest.raises(ConflictError) as caught:
        db.users.create(new_user(email=second, first_name="Other"))

    assert caught.value.constraint == "users_email_lower_key"
    assert db.users.count() == 1
    assert db.users.get(first.id) == first


def test_duplicate_email_differing_in_non_ascii_letter_case_is_a_conflict(db: Database) -> None:
    db.users.create(new_user(email="émile.zoë@exämple.com"))

    with pytest.raises(ConflictError) as caught:
        db.users.create(new_user(email="ÉMILE.ZOË@EXÄMPLE.COM"))

    assert caught.value.constraint == "users_email_lower_key"
    assert db.users.count() == 1


def test_a_conflict_says_what_happened_without_quoting_the_email(tx: Transaction) -> None:
    tx.users.create(new_user(email="private.person@example.com"))

    with pytest.raises(ConflictError) as caught:
        tx.users.create(new_user(email="PRIVATE.PERSON@example.com"))

    message = str(caught.value)
    assert "users_email_lower_key" in message
    assert "already exists" in message
    assert "private.person" not in message.lower()


def test_changing_an_email_to_another_users_email_in_other_case_is_a_conflict(
    db: Database,
) -> None:
    db.users.create(new_user(email="taken@example.com"))
    other = db.users.create(new_user(email="other@example.com"))

    with pytest.raises(ConflictError) as caught:
        db.users.update(other.id, UserPatch(email="TAKEN@example.com"))

    assert caught.value.constraint == "users_email_lower_key"
    assert db.users.get(other.id) == other


def test_changing_the_letter_case_of_ones_own_email_is_allowed(tx: Transaction) -> None:
    user = tx.users.create(new_user(email="case@example.com"))

    changed = tx.users.update(user.id, UserPatch(email="CASE@Example.com"))

    assert changed.email == "CASE@Example.com"


def test_concurrent_creates_of_one_email_in_different_cases_store_exactly_one_user(
    db: Database,
) -> None:
    spellings = ["race@example.com", "RACE@example.com", "Race@Example.com", "rAcE@EXAMPLE.COM"]

    def attempt(email: str) -> str:
        try:
            db.users.create(new_user(email=email))
        except ConflictError as exc:
            return f"conflict:{exc.constraint}"
        return "created"

    with ThreadPoolExecutor(max_workers=len(spellings)) as pool:
        outcomes = sorted(pool.map(attempt, spellings))

    assert outcomes == ["conflict:users_email_lower_key"] * 3 + ["created"]
    assert db.users.count() == 1


# --- CHECK constraints: ConstraintViolation, nothing written --------------------------------


@pytest.mark.parametrize(
    ("field", "bad_value", "constraint"),
    [
        ("email", "no-at-sign.example.com", "users_email_format_check"),
        ("email", "spaced out@example.com", "users_email_format_check"),
        ("phone", "555-0100", "users_phone_format_check"),
        ("first_name", "", "users_first_name_length_check"),
        ("last_name", "L" * 101, "users_last_name_length_check"),
        (
            "password_hash",
            SecretStr("correct horse battery staple"),
            "users_password_hash_format_check",
        ),
    ],
)
def test_a_check_violation_names_its_constraint_and_writes_nothing(
    db: Database, field: str, bad_value: object, constraint: str
) -> None:
    values: dict[str, Any] = {
        "email": unique_email(),
        "password_hash": SecretStr(HASH),
        "first_name": None,
        "last_name": None,
        "phone": None,
    }
    values[field] = bad_value
    unvalidated = NewUser.model_construct(**values)  # bypass pydantic to reach the CHECK

    with pytest.raises(ConstraintViolation) as caught:
        db.users.create(unvalidated)

    assert caught.value.constraint == constraint
    assert caught.value.table == "users"
    assert constraint in str(caught.value)
    assert db.users.count() == 0


def test_a_check_violation_message_does_not_quote_the_value(tx: Transaction) -> None:
    unvalidated = NewUser.model_construct(
        email="leaky-value-7f3a.example.com", password_hash=SecretStr(HASH)
    )

    with pytest.raises(ConstraintViolation) as caught:
        tx.users.create(unvalidated)

    assert "leaky-value-7f3a" not in str(caught.value)


def test_an_update_that_breaks_a_check_names_it_and_changes_nothing(db: Database) -> None:
    user = db.users.create(new_user(phone="+441234567890"))
    unvalidated = UserPatch.model_construct(first_name="Changed", phone="not a phone")

    with pytest.raises(ConstraintViolation) as caught:
        db.users.update(user.id, unvalidated)

    assert caught.value.constraint == "users_phone_format_check"
    assert db.users.get(user.id) == user


def test_a_negative_failed_login_count_is_a_constraint_violation_and_rolls_back(
    db: Database,
) -> None:
    user = db.users.record_failed_login(db.users.create(new_user()).id)

    # No repository method lowers the count: a direct statement in a transaction reaches the
    # CHECK, and the transaction turns the driver's error into a ConstraintViolation.
    def reset_then_decrement() -> None:
        with db.transaction() as tx:
            tx.users.record_successful_login(user.id)
            tx.connection.execute(
                "UPDATE users SET failed_login_count = failed_login_count - 1 WHERE id = %s",
                [user.id],
            )

    with pytest.raises(ConstraintViolation) as caught:
        reset_then_decrement()

    assert caught.value.constraint == "users_failed_login_count_check"
    assert db.users.get(user.id) == user


def test_a_password_hash_with_a_nul_is_refused_by_the_model_and_by_the_database(
    tx: Transaction,
) -> None:
    with pytest.raises(InvalidInput) as caught:
        new_user(password_hash=HASH + "\x00")
    assert [error["field"] for error in caught.value.errors] == ["password_hash"]
    # Past the model (model_construct skips validation), the value still never lands.
    unchecked = NewUser.model_construct(
        email="nul@example.com", password_hash=SecretStr(HASH + "\x00")
    )

    with pytest.raises(InvalidInput), tx.savepoint():
        tx.users.create(unchecked)

    assert tx.users.count() == 0


# --- list_users: keyset pages -----------------------------------------------------------------


def test_list_users_pages_through_every_live_user_newest_first_without_duplicates_or_gaps(
    db: Database,
) -> None:
    users = [db.users.create(new_user()) for _ in range(7)]

    pages = all_pages(db, limit=3)

    assert [len(page.items) for page in pages] == [3, 3, 1]
    assert [user.id for page in pages for user in page.items] == newest_first(users)


def test_list_users_filtered_by_status_pages_through_that_status_only(db: Database) -> None:
    users = [db.users.create(new_user()) for _ in range(9)]
    suspended = [db.users.suspend(u.id, Actor.system()) for u in users[::2]]
    active = [u for u in users if u.id not in {s.id for s in suspended}]

    suspended_pages = all_pages(db, limit=2, status=UserStatus.SUSPENDED)
    active_pages = all_pages(db, limit=2, status=UserStatus.ACTIVE)

    assert [len(page.items) for page in suspended_pages] == [2, 2, 1]
    assert [u.id for page in suspended_pages for u in page.items] == newest_first(suspended)
    assert [u.id for page in active_pages for u in page.items] == newest_first(active)
    assert all(u.status is UserStatus.SUSPENDED for page in suspended_pages for u in page.items)


def test_users_created_in_one_transaction_share_created_at_and_still_page_exactly(
    db: Database,
) -> None:
    with db.transaction() as tx:
        users = [tx.users.create(new_user()) for _ in range(5)]
    assert len({user.created_at for user in users}) == 1

    pages = all_pages(db, limit=2)

    assert [u.id for page in pages for u in page.items] == newest_first(users)


def test_the_last_page_has_no_cursor_when_the_count_divides_evenly(db: Database) -> None:
    for _ in range(4):
        db.users.create(new_user())

    pages = all_pages(db, limit=2)

    assert [len(page.items) for page in pages] == [2, 2]
    assert pages[-1].has_next is False


def test_an_empty_listing_is_one_empty_page_without_a_cursor(tx: Transaction) -> None:
    page = tx.users.list_users()

    assert list(page.items) == []
    assert page.next_cursor is None


def test_a_user_created_between_pages_does_not_shift_the_next_page(tx: Transaction) -> None:
    users = [tx.users.create(new_user()) for _ in range(4)]
    first = tx.users.list_users(limit=2)

    late = tx.users.create(new_user())
    second = tx.users.list_users(limit=2, cursor=first.next_cursor)

    assert [u.id for u in [*first.items, *second.items]] == newest_first(users)
    assert late.id not in {u.id for u in second.items}


@pytest.mark.parametrize("cursor", ["garbage", "a.b", "...", "bm90.c2lnbmVk", "é.é"])
def test_a_cursor_that_is_not_ours_is_invalid(tx: Transaction, cursor: str) -> None:
    tx.users.create(new_user())

    with pytest.raises(InvalidCursor):
        tx.users.list_users(cursor=cursor)


def _flip(cursor: str, index: int) -> str:
    """The cursor with one base64 character replaced (one that carries data bits)."""
    chars = list(cursor)
    chars[index] = "B" if chars[index] != "B" else "C"
    return "".join(chars)


@pytest.mark.parametrize(
    "corrupt",
    [
        pytest.param(lambda c: _flip(c, 3), id="body-char"),
        pytest.param(lambda c: _flip(c, -8), id="signature-char"),
        pytest.param(lambda c: c[:-2], id="truncated"),
        pytest.param(lambda c: c + "AA", id="extended"),
        pytest.param(lambda c: c.replace(".", ""), id="no-separator"),
    ],
)
def test_a_corrupted_cursor_is_invalid(tx: Transaction, corrupt: Callable[[str], str]) -> None:
    for _ in range(3):
        tx.users.create(new_user())
    cursor = tx.users.list_users(limit=1).next_cursor
    assert cursor is not None

    with pytest.raises(InvalidCursor):
        tx.users.list_users(limit=1, cursor=corrupt(cursor))


def test_a_cursor_signed_with_another_key_is_invalid(tx: Transaction) -> None:
    user = tx.users.create(new_user())
    forged = CursorCodec(b"not-the-service-key").encode("users:*", [user.created_at, user.id])

    with pytest.raises(InvalidCursor):
        tx.users.list_users(cursor=forged)


def test_a_well_signed_cursor_holding_a_malformed_position_is_invalid(
    tx: Transaction, settings: Settings
) -> None:
    assert settings.cursor_secret is not None
    codec = CursorCodec(settings.cursor_secret.get_secret_value().encode())
    forged = codec.encode("users:*", ["yesterday", "not-a-uuid"])

    with pytest.raises(InvalidCursor):
        tx.users.list_users(cursor=forged)


@pytest.mark.parametrize(
    ("issued_for", "used_for"),
    [
        (None, UserStatus.ACTIVE),
        (UserStatus.ACTIVE, None),
        (UserStatus.ACTIVE, UserStatus.SUSPENDED),
    ],
)
def test_a_cursor_from_another_listing_is_invalid(
    tx: Transaction, issued_for: UserStatus | None, used_for: UserStatus | None
) -> None:
    for _ in range(3):
        tx.users.create(new_user())
    cursor = tx.users.list_users(status=issued_for, limit=1).next_cursor
    assert cursor is not None

    with pytest.raises(InvalidCursor):
        tx.users.list_users(status=used_for, limit=1, cursor=cursor)


# --- update: patch semantics ------------------------------------------------------------------


def test_update_changes_only_the_fields_given(tx: Transaction) -> None:
    user = tx.users.create(new_user(first_name="Ann", last_name="Lee", phone="+441234567890"))

    changed = tx.users.update(user.id, UserPatch(last_name="Lee-Smith"))

    assert changed.last_name == "Lee-Smith"
    assert (changed.email, changed.first_name, changed.phone, changed.status) == (
        user.email,
        "Ann",
        "+441234567890",
        UserStatus.ACTIVE,
    )
    assert tx.users.get(user.id) == changed


def test_update_can_change_every_patchable_field_at_once(tx: Transaction) -> None:
    user = tx.users.create(new_user())
    patch = UserPatch(
        email="renamed@example.org",
        first_name="Zoë",
        last_name="Ng",
        phone="+15551234567",
    )

    changed = tx.users.update(user.id, patch)

    assert (changed.email, changed.first_name, changed.last_name, changed.phone) == (
        "renamed@example.org",
        "Zoë",
        "Ng",
        "+15551234567",
    )
    assert changed.status is UserStatus.ACTIVE
    assert tx.users.find_by_email("RENAMED@example.org") == changed
    assert tx.users.find_by_email(user.email) is None


def test_update_with_none_clears_the_optional_fields(tx: Transaction) -> None:
    user = tx.users.create(new_user(first_name="Ann", last_name="Lee", phone="+441234567890"))

    changed = tx.users.update(user.id, UserPatch(first_name=None, last_name=None, phone=None))

    assert (changed.first_name, changed.last_name, changed.phone) == (None, None, None)
    assert changed.email == user.email


@pytest.mark.parametrize("field", ["email"])
def test_the_email_cannot_be_cleared(tx: Transaction, field: str) -> None:
    user = tx.users.create(new_user())
    with pytest.raises(InvalidInput) as refused:
        UserPatch.model_validate({field: None})
    assert [error["field"] for error in refused.value.errors] == [field]
    # Past the model, the database's NOT NULL refuses the same change.
    unchecked = UserPatch.model_construct({field}, **{field: None})

    with pytest.raises(ConstraintViolation) as caught, tx.savepoint():
        tx.users.update(user.id, unchecked)

    assert caught.value.column == field
    assert tx.users.get(user.id) == user


def test_the_status_is_not_patchable_it_moves_through_suspend_and_reactivate(
    tx: Transaction,
) -> None:
    user = tx.users.create(new_user())

    with pytest.raises(InvalidInput) as refused:
        UserPatch(status=UserStatus.SUSPENDED)  # type: ignore[call-arg]
    assert refused.value.errors[0]["type"] == "extra_forbidden"
    suspended = tx.users.suspend(user.id, Actor.system())
    active = tx.users.reactivate(user.id, Actor.system())

    assert suspended.status is UserStatus.SUSPENDED
    assert active.status is UserStatus.ACTIVE


def test_update_moves_updated_at_but_not_created_at(tx: Transaction) -> None:
    user = tx.users.create(new_user())

    changed = tx.users.update(user.id, UserPatch(first_name="Later"))

    assert changed.updated_at > user.updated_at
    assert changed.created_at == user.created_at


def test_an_empty_patch_changes_nothing_not_even_updated_at(tx: Transaction) -> None:
    user = tx.users.create(new_user())

    unchanged = tx.users.update(user.id, UserPatch())

    assert unchanged == user


def test_update_of_an_unknown_user_is_not_found(tx: Transaction) -> None:
    with pytest.raises(NotFoundError):
        tx.users.update(uuid4(), UserPatch(first_name="Nobody"))


# --- soft_delete and restore ----------------------------------------------------------------


def test_a_soft_deleted_user_is_hidden_from_every_ordinary_read(tx: Transaction) -> None:
    kept = tx.users.create(new_user())
    gone = tx.users.create(new_user(email="gone@example.com"))

    tx.users.soft_delete(gone.id)

    with pytest.raises(NotFoundError):
        tx.users.get(gone.id)
    assert tx.users.find_by_email("gone@example.com") is None
    assert tx.users.get_credentials("gone@example.com") is None
    assert [u.id for u in tx.users.list_users().items] == [kept.id]
    assert [u.id for u in tx.users.list_users(status=UserStatus.ACTIVE).items] == [kept.id]
    assert tx.users.count() == 1
    assert tx.users.count(status=UserStatus.ACTIVE) == 1


def test_a_soft_deleted_user_is_still_seen_by_get_including_deleted_and_email_exists(
    tx: Transaction,
) -> None:
    user = tx.users.create(new_user(email="gone@example.com"))

    tx.users.soft_delete(user.id)

    deleted = tx.users.get_including_deleted(user.id)
    assert deleted.status is UserStatus.DELETED
    assert deleted.deleted_at is not None
    assert deleted.updated_at > user.updated_at
    assert tx.users.email_exists("GONE@example.com") is True


def test_the_email_of_a_soft_deleted_user_cannot_be_taken_by_a_new_user(tx: Transaction) -> None:
    user = tx.users.create(new_user(email="gone@example.com"))
    tx.users.soft_delete(user.id)

    with pytest.raises(ConflictError) as caught:
        tx.users.create(new_user(email="Gone@example.com"))

    assert caught.value.constraint == "users_email_lower_key"


def test_restore_brings_a_soft_deleted_user_back_as_active(tx: Transaction) -> None:
    user = tx.users.create(new_user(email="back@example.com"))
    tx.users.soft_delete(user.id)

    restored = tx.users.restore(user.id)

    assert restored.status is UserStatus.ACTIVE
    assert restored.deleted_at is None
    assert tx.users.get(user.id) == restored
    assert tx.users.find_by_email("back@example.com") == restored
    assert tx.users.get_credentials("back@example.com") is not None
    assert [u.id for u in tx.users.list_users().items] == [user.id]
    assert tx.users.count() == 1


def test_soft_delete_of_an_unknown_user_is_not_found(tx: Transaction) -> None:
    with pytest.raises(NotFoundError):
        tx.users.soft_delete(uuid4())


def test_soft_delete_of_an_already_deleted_user_is_not_found(tx: Transaction) -> None:
    user = tx.users.create(new_user())
    tx.users.soft_delete(user.id)
    deleted = tx.users.get_including_deleted(user.id)

    with pytest.raises(NotFoundError):
        tx.users.soft_delete(user.id)

    assert tx.users.get_including_deleted(user.id) == deleted


def test_restore_of_an_unknown_user_is_not_found(tx: Transaction) -> None:
    with pytest.raises(NotFoundError):
        tx.users.restore(uuid4())


def test_restore_of_a_live_user_is_not_found_and_changes_nothing(tx: Transaction) -> None:
    user = tx.users.create(new_user())

    with pytest.raises(NotFoundError):
        tx.users.restore(user.id)

    assert tx.users.get(user.id) == user


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(lambda db, uid: db.users.update(uid, UserPatch(first_name="X")), id="update"),
        pytest.param(lambda db, uid: db.users.record_failed_login(uid), id="failed_login"),
        pytest.param(lambda db, uid: db.users.record_successful_login(uid), id="successful_login"),
    ],
)
def test_writes_to_a_soft_deleted_user_are_not_found_and_change_nothing(
    db: Database, write: Any
) -> None:
    user = db.users.create(new_user())
    db.users.soft_delete(user.id)
    deleted = db.users.get_including_deleted(user.id)

    with pytest.raises(NotFoundError):
        write(db, user.id)

    assert db.users.get_including_deleted(user.id) == deleted


# --- count and email_exists -------------------------------------------------------------------


def test_count_counts_live_users_in_all_statuses_or_in_one(tx: Transaction) -> None:
    users = [tx.users.create(new_user()) for _ in range(5)]
    tx.users.suspend(users[0].id, Actor.system())
    tx.users.suspend(users[1].id, Actor.system())
    tx.users.soft_delete(users[2].id)

    assert tx.users.count() == 4
    assert tx.users.count(status=UserStatus.ACTIVE) == 2
    assert tx.users.count(status=UserStatus.SUSPENDED) == 2
    assert tx.users.count(status=UserStatus.DELETED) == 0


def test_count_of_an_empty_table_is_zero(tx: Transaction) -> None:
    assert tx.users.count() == 0


@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        ("lee@example.com", True),
        ("LEE@EXAMPLE.COM", True),
        ("lee@example.org", False),
        ("le@example.com", False),
    ],
)
def test_email_exists_in_any_letter_case_for_taken_emails_only(
    tx: Transaction, asked: str, expected: bool
) -> None:
    tx.users.create(new_user(email="Lee@Example.com"))

    assert tx.users.email_exists(asked) is expected


# --- login bookkeeping ------------------------------------------------------------------------


def test_a_failed_login_adds_one_to_the_count(tx: Transaction) -> None:
    user = tx.users.create(new_user())

    once = tx.users.record_failed_login(user.id)
    twice = tx.users.record_failed_login(user.id)

    assert (once.failed_login_count, twice.failed_login_count) == (1, 2)
    assert tx.users.get(user.id) == twice
    assert twice.lockout_until is None


def test_the_lockout_starts_when_failures_reach_the_configured_maximum(
    tx: Transaction, settings: Settings
) -> None:
    user = before = tx.users.create(new_user())
    for _ in range(settings.login_max_failures - 1):
        before = tx.users.record_failed_login(user.id)
    assert before.lockout_until is None

    locked = tx.users.record_failed_login(user.id)

    assert locked.failed_login_count == settings.login_max_failures
    assert locked.lockout_until is not None
    lockout = timedelta(seconds=settings.login_lockout_s)
    assert lockout - timedelta(seconds=5) < locked.lockout_until - locked.updated_at <= lockout
    assert locked.is_locked(locked.updated_at)


def test_the_lockout_threshold_and_duration_come_from_the_settings(settings: Settings) -> None:
    strict = with_settings(settings, login_max_failures=2, login_lockout_s=60)
    with Database(strict) as db:
        user = db.users.create(new_user())

        first = db.users.record_failed_login(user.id)
        second = db.users.record_failed_login(user.id)

    assert first.lockout_until is None
    assert second.lockout_until is not None
    assert timedelta(seconds=55) < second.lockout_until - second.updated_at <= timedelta(seconds=60)


def test_concurrent_failed_logins_lose_no_increment(db: Database, settings: Settings) -> None:
    user = db.users.create(new_user())
    attempts = 40
    assert attempts > settings.login_max_failures

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: db.users.record_failed_login(user.id), range(attempts)))

    assert sorted(r.failed_login_count for r in results) == list(range(1, attempts + 1))
    final = db.users.get(user.id)
    assert final.failed_login_count == attempts
    assert final.lockout_until is not None


def test_a_successful_login_clears_failures_and_lockout_and_stamps_the_time(
    db: Database, settings: Settings
) -> None:
    user = locked = db.users.create(new_user())
    for _ in range(settings.login_max_failures):
        locked = db.users.record_failed_login(user.id)
    assert locked.lockout_until is not None
    with psycopg.connect(settings.database_url.get_secret_value(), autocommit=True) as conn:
        conn.execute(
            "UPDATE users SET lockout_until = now() - interval '1 second' WHERE id = %s",
            [user.id],
        )

    logged_in = db.users.record_successful_login(user.id)

    assert (logged_in.failed_login_count, logged_in.lockout_until) == (0, None)
    assert logged_in.last_login_at is not None
    assert logged_in.last_login_at > locked.updated_at
    assert not logged_in.is_locked(datetime.now(UTC))


def test_a_correct_password_during_a_lockout_is_refused_and_keeps_the_lockout(
    db: Database, settings: Settings
) -> None:
    user = db.users.create(new_user())
    for _ in range(settings.login_max_failures):
        locked = db.users.record_failed_login(user.id)

    with pytest.raises(AccountLocked):
        db.users.authenticate(user.email, lambda _hash: True)
    with pytest.raises(AccountLocked):
        db.users.record_successful_login(user.id)

    after = db.users.get(user.id)
    assert (after.lockout_until, after.failed_login_count) == (
        locked.lockout_until,
        locked.failed_login_count,
    )
    assert after.last_login_at is None


def test_authenticate_checks_the_password_and_counts_a_failure(db: Database) -> None:
    user = db.users.create(new_user())

    with pytest.raises(InvalidCredentials):
        db.users.authenticate(user.email, lambda _hash: False)
    with pytest.raises(InvalidCredentials):
        db.users.authenticate("nobody@example.com", lambda _hash: True)
    logged_in = db.users.authenticate(user.email.upper(), lambda h: h.get_secret_value() == HASH)

    assert db.users.get(user.id).last_login_at == logged_in.last_login_at is not None
    assert logged_in.failed_login_count == 0


def test_each_successful_login_moves_last_login_at(db: Database) -> None:
    user = db.users.create(new_user())

    first = db.users.record_successful_login(user.id)
    second = db.users.record_successful_login(user.id)

    assert first.last_login_at is not None
    assert second.last_login_at is not None
    assert second.last_login_at > first.last_login_at


@pytest.mark.parametrize("method", ["record_failed_login", "record_successful_login"])
def test_login_bookkeeping_for_an_unknown_user_is_not_found(tx: Transaction, method: str) -> None:
    with pytest.raises(NotFoundError):
        getattr(tx.users, method)(uuid4())


# --- credentials and secrets ------------------------------------------------------------------


def test_get_credentials_returns_the_password_hash_in_any_letter_case(tx: Transaction) -> None:
    user = tx.users.create(new_user(email="login@example.com"))

    credentials = tx.users.get_credentials("LOGIN@example.COM")

    assert credentials is not None
    assert credentials.id == user.id
    assert credentials.password_hash.get_secret_value() == HASH
    assert credentials.two_factor_secret is None
    assert (credentials.status, credentials.failed_login_count) == (UserStatus.ACTIVE, 0)


def test_get_credentials_of_an_unknown_email_is_none(tx: Transaction) -> None:
    tx.users.create(new_user(email="login@example.com"))

    assert tx.users.get_credentials("nobody@example.com") is None


def test_credentials_do_not_show_the_hash_in_repr_or_str(tx: Transaction) -> None:
    tx.users.create(new_user(email="login@example.com"))

    credentials = tx.users.get_credentials("login@example.com")

    assert credentials is not None
    assert HASH not in repr(credentials)
    assert HASH not in str(credentials)
    assert HASH[7:20] not in credentials.model_dump_json()


def test_users_returned_by_every_method_carry_no_secret(tx: Transaction) -> None:
    user = tx.users.create(new_user(email="plain@example.com"))
    returned: list[User] = [
        user,
        tx.users.get(user.id),
        tx.users.get_including_deleted(user.id),
        *filter(None, [tx.users.find_by_email("plain@example.com")]),
        *tx.users.list_users().items,
        tx.users.update(user.id, UserPatch(first_name="P")),
        tx.users.record_failed_login(user.id),
        tx.users.record_successful_login(user.id),
    ]
    tx.users.soft_delete(user.id)
    returned.append(tx.users.restore(user.id))

    for model in returned:
        assert type(model) is User
        assert SECRET_FIELDS.isdisjoint(model.model_dump())
        assert HASH not in repr(model)


# The User model ignores unknown keys, so a query that selected password_hash would not show
# in the models above: read the rows the named queries return before any mapping.
def _rows(tx: Transaction, name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    query = load_queries()["users"][name]
    with tx.connection.cursor(row_factory=dict_row) as cursor:
        cursor.execute(query.sql, params)
        return cursor.fetchall() if cursor.description else []


def test_only_get_credentials_selects_secret_columns(db: Database) -> None:
    public = set(User.model_fields)
    with rolled_back(db) as tx:
        user = tx.users.create(new_user(email="rows@example.com"))
        deleted = tx.users.create(new_user())
        tx.users.soft_delete(deleted.id)
        unset = {f"set_{f}": False for f in ("email", "first_name", "last_name", "phone")}
        nulls = {f: None for f in ("email", "first_name", "last_name", "phone")}
        start = {"after_created_at": datetime.max.replace(tzinfo=UTC), "after_id": UUID(int=0)}
        calls: dict[str, dict[str, Any]] = {
            "create": {**new_user().model_dump(), "password_hash": HASH},
            "get": {"id": user.id},
            "get_including_deleted": {"id": deleted.id},
            "find_by_email": {"email": user.email},
            "list_users": {**start, "limit": 10},
            "list_users_by_status": {**start, "limit": 10, "status": "ACTIVE"},
            "update": {"id": user.id, **unset, **nulls},
            "restore": {"id": deleted.id},
            "record_failed_login": {"id": user.id, "max_failures": 5, "lockout_seconds": 60},
            "record_successful_login": {"id": user.id},
            "verify_email": {"id": user.id},
            "enable_two_factor": {"id": user.id, "two_factor_secret": "JBSWY3DPEHPK3PXP"},
            "disable_two_factor": {"id": user.id},
            "change_password_hash": {"id": user.id, "password_hash": HASH},
            "lock_for_status_change": {"id": user.id},
            "set_status": {"id": user.id, "status": "ACTIVE"},
            "lock_for_erasure": {"id": deleted.id},
            "erase": {"id": deleted.id},
        }
        row_queries = set(load_queries()["users"]) - {
            "soft_delete",
            "count",
            "email_exists",
            "is_locked",
            "lock_erasure",  # an advisory lock: one boolean, no user column
        }
        assert set(calls) == row_queries - {"get_credentials"}, "a new query needs a case here"

        for name, params in calls.items():
            rows = _rows(tx, name, params)
            assert rows, name
            assert all(set(row) == public for row in rows), name
        secret_row = _rows(tx, "get_credentials", {"email": user.email})
        assert set(secret_row[0]) >= SECRET_FIELDS


# --- properties -------------------------------------------------------------------------------

# Any character but NUL (surrogates cannot be encoded, see tests/models), with the ones a
# careless layer would trim, fold or normalise drawn often.
NAME_CHARS = st.characters(codec="utf-8", exclude_characters="\x00") | st.sampled_from(
    [" ", "\t", "\n", "\u00a0", "\u200b", "\u0301", "\u00e9", "\U0001f600", "'", "\\"]
)
NAMES = st.text(NAME_CHARS, min_size=1, max_size=100)
PHONES = st.from_regex(r"\+[1-9][0-9]{6,14}", fullmatch=True)
HASHES = st.builds(
    lambda prefix, body: prefix + body,
    st.sampled_from(["$2b$12$", "$2y$10$", "$argon2id$v=19$m=65536,t=3,p=4$", "$scrypt$"]),
    st.text(BCRYPT_ALPHABET, min_size=20, max_size=200),
)
VALID_USERS = st.builds(
    NewUser,
    email=st.emails(),
    password_hash=HASHES,
    first_name=st.none() | NAMES,
    last_name=st.none() | NAMES,
    phone=st.none() | PHONES,
)

# The db fixture is function-scoped and shared by every example on purpose: each example
# runs in its own transaction that is rolled back, so no example sees another's rows.
DB_PROPERTY = hypothesis_settings(
    max_examples=50,
    deadline=None,  # a query's latency is not what these tests are about
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@DB_PROPERTY
@given(new=VALID_USERS)
@example(
    new=NewUser(
        email="Zoë.Ünïcødé+tag@exämple.COM",
        password_hash=HASH,
        first_name=" Ann ",
        last_name="\U0001f600" * 100,
        phone="+123456789012345",
    )
)
def test_any_valid_user_round_trips_exactly(db: Database, new: NewUser) -> None:
    with rolled_back(db) as tx:
        created = tx.users.create(new)

        assert (created.email, created.first_name, created.last_name, created.phone) == (
            new.email,
            new.first_name,
            new.last_name,
            new.phone,
        )
        assert tx.users.get(created.id) == created
        assert tx.users.find_by_email(new.email.upper()) == created
        credentials = tx.users.get_credentials(new.email.lower())
        assert credentials is not None
        assert credentials.password_hash == new.password_hash


def _invalid_inputs(token: str) -> st.SearchStrategy[tuple[dict[str, Any], str]]:
    """(input, rejected value) pairs: each input breaks exactly one rule, ``token`` inside."""
    base = {"email": f"ok-{token[:6]}@example.com", "password_hash": HASH}
    cases: list[tuple[dict[str, Any], str]] = [
        ({**base, "first_name": f"{token}\x00"}, f"{token}\x00"),
        ({**base, "last_name": f"\x00{token}"}, f"\x00{token}"),
        ({**base, "first_name": token * 4}, token * 4),
        ({**base, "email": token}, token),
        ({**base, "email": f"{token}@localhost"}, f"{token}@localhost"),
        ({**base, "email": f"{token} x@example.com"}, f"{token} x@example.com"),
        ({**base, "email": f"{token}@example.com\x00"}, f"{token}@example.com\x00"),
        ({**base, "email": f"{token * 10}@example.com"}, f"{token * 10}@example.com"),
        ({**base, "phone": f"+1{token}"}, f"+1{token}"),
        ({**base, "password_hash": f"hunter2-{token}"}, f"hunter2-{token}"),
        ({**base, "password_hash": f"$2b$12${token[:8]}"}, f"$2b$12${token[:8]}"),
        ({**base, "is_admin": token}, token),
        ({**base, "password": f"plain-{token}"}, f"plain-{token}"),
    ]
    return st.sampled_from(cases)


@given(case=st.uuids().map(lambda u: u.hex).flatmap(_invalid_inputs))
def test_invalid_input_is_rejected_by_the_model_without_echoing_it(
    case: tuple[dict[str, Any], str],
) -> None:
    data, rejected = case

    with pytest.raises(InvalidInput) as caught:
        NewUser.model_validate(data)

    assert rejected not in str(caught.value)
    assert rejected not in repr(caught.value)
    assert rejected not in json.dumps(caught.value.errors)
