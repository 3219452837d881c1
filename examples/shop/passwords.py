"""Password hashes for the example: scrypt from the standard library, in modular-crypt form
(``$scrypt$ln=..,r=..,p=..$salt$hash``), the form ``NewUser.password_hash`` takes. A real
shop may prefer argon2 or bcrypt; the library stores whatever hash the application makes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re

from pydantic import SecretStr

LOG2_N = 14
"""scrypt's cost: n = 2**14, r = 8 (16 MiB, tens of milliseconds)."""
_R, _P = 8, 1
_FORM = re.compile(r"^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$")


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _scrypt(password: str, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    n = 2**log2_n
    return hashlib.scrypt(
        password.encode(), salt=salt, n=n, r=r, p=p, maxmem=256 * n * r + 1024, dklen=32
    )


def hash_password(password: str) -> str:
    """A fresh salted hash of ``password``."""
    salt = os.urandom(16)
    digest = _scrypt(password, salt, LOG2_N, _R, _P)
    return f"$scrypt$ln={LOG2_N},r={_R},p={_P}${_b64(salt)}${_b64(digest)}"


def matches(stored: SecretStr | None, password: str) -> bool:
    """True when ``password`` is the one ``stored`` was made from. With no stored hash (an
    unknown email) a hash is still computed, so both answers take the same time."""
    found = _FORM.fullmatch(stored.get_secret_value()) if stored is not None else None
    if found is None:
        _scrypt(password, b"no-such-user-salt", LOG2_N, _R, _P)
        return False
    log2_n, r, p = (int(found[i]) for i in (1, 2, 3))
    digest = _scrypt(password, _unb64(found[4]), log2_n, r, p)
    return hmac.compare_digest(digest, _unb64(found[5]))
