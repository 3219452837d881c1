"""Builders of valid inputs for tests: override only what the test is about."""

from __future__ import annotations

import hashlib
from itertools import count
from typing import Any

from shopdb.models import NewUser

BCRYPT_ALPHABET = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_serial = count(1)


def bcrypt_like_hash(seed: str = "") -> str:
    """A string shaped like a bcrypt hash: ``$2b$12$`` then 53 characters (salt and digest)."""
    digest = hashlib.sha512(seed.encode()).digest()
    return "$2b$12$" + "".join(BCRYPT_ALPHABET[byte % 64] for byte in digest[:53])


HASH = bcrypt_like_hash("default")


def unique_email(prefix: str = "user") -> str:
    """An email address no other call of this process returns."""
    return f"{prefix}{next(_serial)}@example.com"


def new_user(**overrides: Any) -> NewUser:
    """A valid NewUser with a fresh email; keyword arguments replace any field."""
    values: dict[str, Any] = {
        "email": unique_email(),
        "password_hash": HASH,
        "first_name": "Ann",
        "last_name": "Lee",
        "phone": None,
    }
    values.update(overrides)
    return NewUser.model_validate(values)
