"""The users models: what NewUser and UserPatch accept and refuse, and what reads expose."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr, ValidationError

from shopdb.errors import InvalidInput
from shopdb.models import Credentials, NewUser, PasswordChange, User, UserPatch, UserStatus
from tests.support.factories import HASH, new_user

SECRET_FIELDS = {"password_hash", "two_factor_secret"}
NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def user_row(**overrides: Any) -> dict[str, Any]:
    """A row as the ordinary user reads return it."""
    row: dict[str, Any] = {
        "id": uuid4(),
        "email": "ann@example.com",
        "first_name": "Ann",
        "last_name": None,
        "phone": None,
        "email_verified": False,
        "email_verified_at": None,
        "failed_login_count": 0,
        "lockout_until": None,
        "last_login_at": None,
        "two_factor_enabled": False,
        "status": "ACTIVE",
        "created_at": NOW,
        "updated_at": NOW,
        "deleted_at": None,
    }
    row.update(overrides)
    return row


def rejection(
    model: type[NewUser | UserPatch | PasswordChange], data: dict[str, Any]
) -> InvalidInput:
    """The InvalidInput that validating ``data`` raises."""
    with pytest.raises(InvalidInput) as caught:
        model.model_validate(data)
    return caught.value


# --- NewUser ----------------------------------------------------------------------------------


def test_a_new_user_needs_only_an_email_and_a_password_hash() -> None:
    new = NewUser(email="ann@example.com", password_hash=HASH)

    assert (new.first_name, new.last_name, new.phone) == (None, None, None)
    assert new.password_hash.get_secret_value() == HASH


@pytest.mark.parametrize("missing", ["email", "password_hash"])
def test_a_new_user_without_email_or_password_hash_is_refused(missing: str) -> None:
    data = {"email": "ann@example.com", "password_hash": HASH}
    del data[missing]

    error = rejection(NewUser, data)

    assert error.errors[0]["field"] == missing


@pytest.mark.parametrize(
    "email",
    [
        "a@b.co",
        "first.last+tag@mail.example.org",
        "o'brien@example.ie",
        "émile@exämple.com",
        "UPPER@EXAMPLE.COM",
        "a" * 64 + "@" + "b" * 251 + ".com",
    ],
)
def test_well_formed_emails_are_accepted_unchanged(email: str) -> None:
    assert new_user(email=email).email == email


@given(st.emails())
def test_any_email_hypothesis_calls_valid_is_accepted_unchanged(email: str) -> None:
    assert new_user(email=email).email == email


@pytest.mark.parametrize(
    "email",
    [
        pytest.param("", id="empty"),
        pytest.param("plainaddress", id="no-at"),
        pytest.param("ann@localhost", id="no-dot-in-domain"),
        pytest.param("@example.com", id="no-local-part"),
        pytest.param("ann@@example.com", id="two-ats"),
        pytest.param("ann smith@example.com", id="space"),
        pytest.param("ann@exa\u00a0mple.com", id="no-break-space"),
        pytest.param("ann@example.com\n", id="trailing-newline"),
        pytest.param("ann@example.com\x00", id="nul"),
        pytest.param("ann@example.", id="empty-tld"),
        pytest.param("a" * 65 + "@" + "b" * 251 + ".com", id="321-chars"),
    ],
)
def test_malformed_emails_are_refused(email: str) -> None:
    error = rejection(NewUser, {"email": email, "password_hash": HASH})

    assert error.errors[0]["field"] == "email"


@given(st.from_regex(r"\+[1-9][0-9]{6,14}", fullmatch=True))
def test_phones_in_e164_form_are_accepted_unchanged(phone: str) -> None:
    assert new_user(phone=phone).phone == phone


@pytest.mark.parametrize(
    "phone",
    [
        "",
        "0123456789",
        "+0123456789",
        "+123456",
        "+1234567890123456",
        "+1 555 123 4567",
        "+1-555-123-4567",
        "+1555123456x",
        "+1555123456\n",
        "+١٢٣٤٥٦٧٨",
    ],
)
def test_phones_not_in_e164_form_are_refused(phone: str) -> None:
    error = rejection(NewUser, {"email": "a@b.co", "password_hash": HASH, "phone": phone})

    assert error.errors[0]["field"] == "phone"


@pytest.mark.parametrize(
    "password_hash",
    [
        HASH,
        "$2y$10$" + "a" * 53,
        "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG",
        "$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD",
        "$2b$" + "x" * 16,
        "$2b$" + "x" * 1020,
    ],
)
def test_modular_crypt_hashes_are_accepted(password_hash: str) -> None:
    assert new_user(password_hash=password_hash).password_hash.get_secret_value() == password_hash


@pytest.mark.parametrize(
    "password_hash",
    [
        pytest.param("hunter2", id="short-password"),
        pytest.param("correct horse battery staple", id="long-password"),
        pytest.param("2b$12$" + "a" * 53, id="no-leading-dollar"),
        pytest.param("$2B$12$" + "a" * 53, id="upper-case-id"),
        pytest.param("$$" + "a" * 53, id="empty-id"),
        pytest.param("$2b" + "a" * 53, id="unterminated-id"),
        pytest.param("$2b$" + "x" * 15, id="19-chars"),
        pytest.param("$2b$" + "x" * 1021, id="1025-chars"),
    ],
)
def test_anything_but_a_modular_crypt_hash_is_refused(password_hash: str) -> None:
    error = rejection(NewUser, {"email": "a@b.co", "password_hash": password_hash})

    assert error.errors[0]["field"] == "password_hash"
    assert password_hash not in str(error)


@pytest.mark.parametrize("password_hash", ["hunter2", "$2b$" + "x" * 15, HASH + "\x00"])
def test_a_password_change_refuses_what_a_new_user_refuses(password_hash: str) -> None:
    error = rejection(PasswordChange, {"password_hash": password_hash})
    new_user_error = rejection(NewUser, {"email": "a@b.co", "password_hash": password_hash})

    assert error.errors[0]["message"] == new_user_error.errors[0]["message"]
    assert PasswordChange(password_hash=SecretStr(HASH)).password_hash.get_secret_value() == HASH


def test_a_password_hash_with_a_nul_character_is_refused() -> None:
    rejection(NewUser, {"email": "a@b.co", "password_hash": HASH + "\x00"})


@pytest.mark.parametrize("field", ["first_name", "last_name"])
@pytest.mark.parametrize(
    "name",
    ["", "x" * 101, "Ann\x00", "Ann\ud800"],
    ids=["empty", "101-chars", "nul", "lone-surrogate"],
)
def test_names_that_are_empty_too_long_or_hold_a_nul_are_refused(field: str, name: str) -> None:
    error = rejection(NewUser, {"email": "a@b.co", "password_hash": HASH, field: name})

    assert error.errors[0]["field"] == field


@pytest.mark.parametrize("field", ["password", "is_admin", "status", "id", "email_verified"])
def test_fields_a_new_user_does_not_have_are_refused(field: str) -> None:
    error = rejection(NewUser, {"email": "a@b.co", "password_hash": HASH, field: "x"})

    assert error.errors[0]["type"] == "extra_forbidden"


@given(
    field=st.sampled_from(["email", "first_name", "last_name", "phone", "password_hash"]),
    token=st.uuids().map(lambda u: u.hex),
)
def test_a_rejected_value_never_appears_in_the_message(field: str, token: str) -> None:
    bad = {
        "email": f"{token}@nowhere",
        "first_name": token * 4,
        "last_name": f"{token}\x00",
        "phone": f"+{token}",
        "password_hash": f"plain-{token}",
    }[field]

    error = rejection(NewUser, {"email": "a@b.co", "password_hash": HASH, field: bad})

    assert token not in str(error)
    assert token not in repr(error)


def test_the_password_hash_stays_hidden_in_repr_str_and_json() -> None:
    new = new_user()

    assert HASH not in repr(new)
    assert HASH not in str(new)
    assert HASH not in new.model_dump_json()
    assert isinstance(new.model_dump()["password_hash"], SecretStr)


def test_a_new_user_is_immutable() -> None:
    new = new_user()

    with pytest.raises(ValidationError):
        new.email = "other@example.com"  # type: ignore[misc]


# --- UserPatch --------------------------------------------------------------------------------


def test_an_empty_patch_changes_nothing() -> None:
    assert UserPatch().model_dump(exclude_unset=True) == {}


def test_a_patch_changes_only_the_fields_it_was_given() -> None:
    patch = UserPatch(last_name="Lee", phone="+441234567890")

    assert patch.model_dump(exclude_unset=True) == {"last_name": "Lee", "phone": "+441234567890"}


def test_none_in_a_patch_clears_an_optional_field() -> None:
    patch = UserPatch.model_validate_json('{"first_name": null, "phone": null}')

    assert patch.model_dump(exclude_unset=True) == {"first_name": None, "phone": None}


@pytest.mark.parametrize("field", ["email", "status"])
def test_a_patch_cannot_clear_email_or_status(field: str) -> None:
    error = rejection(UserPatch, {field: None})

    assert error.errors[0]["field"] == field


@pytest.mark.parametrize("status", ["ACTIVE", "SUSPENDED", "DELETED", UserStatus.SUSPENDED])
def test_a_patch_has_no_status_it_moves_through_suspend_and_reactivate(status: str) -> None:
    error = rejection(UserPatch, {"status": status})

    assert error.errors[0]["field"] == "status"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "not-an-email"),
        ("phone", "555-0100"),
        ("first_name", ""),
        ("last_name", "x" * 101),
        ("password_hash", HASH),
        ("deleted_at", None),
    ],
)
def test_a_patch_applies_the_same_rules_as_a_new_user(field: str, value: object) -> None:
    error = rejection(UserPatch, {field: value})

    assert error.errors[0]["field"] == field


# --- User and Credentials (reads) -------------------------------------------------------------


def test_the_user_read_model_has_no_secret_fields() -> None:
    assert SECRET_FIELDS.isdisjoint(User.model_fields)


def test_a_user_built_from_a_row_carrying_secrets_does_not_keep_them() -> None:
    user = User.model_validate(user_row(password_hash=HASH, two_factor_secret="JBSWY3DPEHPK3PXP"))

    assert SECRET_FIELDS.isdisjoint(user.model_dump())
    assert HASH not in repr(user)
    assert "JBSWY3DPEHPK3PXP" not in repr(user)


def test_a_user_is_immutable() -> None:
    user = User.model_validate(user_row())

    with pytest.raises(ValidationError):
        user.status = UserStatus.SUSPENDED  # type: ignore[misc]


@pytest.mark.parametrize(
    ("lockout_until", "locked"),
    [
        (None, False),
        (NOW + timedelta(seconds=1), True),
        (NOW, False),
        (NOW - timedelta(seconds=1), False),
    ],
)
def test_a_user_is_locked_only_while_the_lockout_runs(
    lockout_until: datetime | None, locked: bool
) -> None:
    user = User.model_validate(user_row(lockout_until=lockout_until))

    assert user.is_locked(NOW) is locked


def test_credentials_hide_the_hash_and_the_two_factor_secret() -> None:
    credentials = Credentials.model_validate(
        {
            "id": uuid4(),
            "email": "ann@example.com",
            "password_hash": HASH,
            "status": "ACTIVE",
            "failed_login_count": 0,
            "lockout_until": None,
            "two_factor_enabled": True,
            "two_factor_secret": "JBSWY3DPEHPK3PXP",
        }
    )

    shown = repr(credentials) + str(credentials) + credentials.model_dump_json()
    assert HASH not in shown
    assert "JBSWY3DPEHPK3PXP" not in shown
    assert credentials.password_hash.get_secret_value() == HASH
    assert credentials.two_factor_secret is not None
    assert credentials.two_factor_secret.get_secret_value() == "JBSWY3DPEHPK3PXP"
