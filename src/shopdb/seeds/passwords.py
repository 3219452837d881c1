"""Password hashes for seeded users: argon2id, and never a password kept or shown."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher, Type

# argon2-cffi's defaults are RFC 9106's low-memory profile (t=3, m=64 MiB, p=4), argon2id.
_HASHER = PasswordHasher(type=Type.ID)


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` in modular-crypt form (``$argon2id$v=19$...``)."""
    return _HASHER.hash(password)


def unusable_hash() -> str:
    """The argon2id hash of a random secret that is thrown away: an account nobody can log in
    to until a password is set for it (the sample customers of dev, qa and demo)."""
    return hash_password(secrets.token_urlsafe(32))
