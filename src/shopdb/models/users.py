"""Users: the account read model, its create and patch inputs, and the credentials read."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, SecretStr, StringConstraints, field_validator

from shopdb.core.errors import DomainError
from shopdb.models.base import InputModel, Name, RowModel

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
PASSWORD_HASH_PATTERN = r"^\$[a-z0-9-]+\$[!-~]+$"  # noqa: S105 (a pattern, not a secret)


class UserStatus(StrEnum):
    """Account states; DELETED goes with deleted_at (soft delete)."""

    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    DELETED = "DELETED"


_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"})
"""Unicode categories refused in an email: controls, format characters (zero-width spaces
and joiners, bidi overrides and isolates, the soft hyphen, the BOM), surrogates, private
use, unassigned and separators. Each would make a look-alike of another account's email."""


def _no_space(value: str) -> str:
    """No whitespace, control, zero-width or bidi character (nothing invisible)."""
    if any(ch.isspace() or unicodedata.category(ch) in _INVISIBLE for ch in value):
        raise ValueError("must not contain spaces, control, zero-width or bidi characters")
    return value


Email = Annotated[
    str,
    StringConstraints(max_length=320, pattern=EMAIL_PATTERN),
    AfterValidator(_no_space),
]
Phone = Annotated[str, StringConstraints(pattern=r"^\+[1-9][0-9]{6,14}$")]


def _hashed(value: SecretStr) -> SecretStr:
    """A password hash, never a password: modular-crypt form, 20 to 1,024 characters."""
    text = value.get_secret_value()
    if not (20 <= len(text) <= 1024 and re.fullmatch(PASSWORD_HASH_PATTERN, text)):
        raise ValueError("must be a modular-crypt hash such as $2b$12$..., never a password")
    return value


PasswordHash = Annotated[SecretStr, AfterValidator(_hashed)]
"""A password hash as NewUser and PasswordChange take it (the one check of its form)."""


class User(RowModel):
    """A user as the ordinary reads return it: no password hash, no two-factor secret."""

    id: UUID
    email: str
    first_name: str | None
    last_name: str | None
    phone: str | None
    email_verified: bool
    email_verified_at: datetime | None
    failed_login_count: int
    lockout_until: datetime | None
    last_login_at: datetime | None
    two_factor_enabled: bool
    status: UserStatus
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None

    def is_locked(self, now: datetime) -> bool:
        """True while a lockout set by repeated failed logins is running."""
        return self.lockout_until is not None and self.lockout_until > now


class NewUser(InputModel):
    """What it takes to create a user. The password arrives hashed (bcrypt, argon2, ...)."""

    email: Email
    password_hash: PasswordHash
    first_name: Name | None = None
    last_name: Name | None = None
    phone: Phone | None = None


class UserPatch(InputModel):
    """A partial update: only the fields given change; None clears an optional field. The
    status is not here: it changes through ``users.suspend`` / ``reactivate`` (audited, and
    a suspension ends the user's sessions and keys)."""

    email: Email | None = None
    first_name: Name | None = None
    last_name: Name | None = None
    phone: Phone | None = None

    @field_validator("email")
    @classmethod
    def _not_cleared(cls, value: object) -> object:
        """Cannot be cleared (set to None)."""
        if value is None:
            raise ValueError("cannot be cleared")
        return value


def _base32(value: SecretStr) -> SecretStr:
    """A base32 secret (RFC 4648) of 16 to 128 characters."""
    text = value.get_secret_value()
    if not (16 <= len(text) <= 128 and re.fullmatch(r"[A-Z2-7]+=*", text)):
        raise ValueError("must be a base32 secret (RFC 4648) of 16 to 128 characters")
    return value


TwoFactorSecret = Annotated[SecretStr, AfterValidator(_base32)]


class PasswordChange(InputModel):
    """A new password, already hashed (bcrypt, argon2, ...)."""

    password_hash: PasswordHash


class TwoFactorSetup(InputModel):
    """What turning two-factor on stores: the TOTP secret (base32), never returned by reads."""

    secret: TwoFactorSecret


class Credentials(RowModel):
    """What a login check needs; returned only by ``users.get_credentials``."""

    id: UUID
    email: str
    password_hash: SecretStr
    status: UserStatus
    failed_login_count: int
    lockout_until: datetime | None
    two_factor_enabled: bool
    two_factor_secret: SecretStr | None


class IllegalUserStatusChange(DomainError):
    """A user status change the rules refuse: only an ACTIVE user can be suspended and only
    a SUSPENDED one reactivated (a deleted user is restored, not reactivated)."""


class UserErased(DomainError):
    """A row written for a user who is erased, or whose erasure is running: the database
    refuses it (the ``<table>_owner_not_erased_check`` triggers) and nothing is written."""


ERASED_OWNER = "the user is erased (or being erased): no row of theirs is written"
"""The message of every ``<table>_owner_not_erased_check``."""


class AccountLocked(DomainError):
    """A login during the lockout that repeated failures set: refused even with the right
    password, and the lockout stays."""


class InvalidCredentials(DomainError):
    """No live ACTIVE user with this email, or the password does not match its hash."""
