"""Secrets sealed at rest with AES-256-GCM: ``aesgcm:<key id>:<base64url(nonce || ciphertext)>``.

The key id travels with the ciphertext so keys can rotate: the first key of the ring seals,
every key of the ring opens. ``bound_to`` (a row's id) is the associated data: a sealed value
copied onto another row does not open there.
"""

from __future__ import annotations

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shopdb.core.errors import ConfigurationError

_PREFIX = "aesgcm"
_NONCE_BYTES = 12  # the GCM standard nonce; random per seal (2^32 seals per key stay safe)


def is_sealed(text: str) -> bool:
    """Whether ``text`` is a sealed value (a legacy plaintext value is not)."""
    return text.startswith(f"{_PREFIX}:")


def seal(keys: dict[str, bytes], plaintext: str, bound_to: str) -> str:
    """``plaintext`` sealed under the current (first) key of ``keys``."""
    key_id, key = next(iter(keys.items()))
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode(), bound_to.encode())
    return f"{_PREFIX}:{key_id}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def unseal(keys: dict[str, bytes], text: str, bound_to: str) -> str:
    """The plaintext of a sealed value; ConfigurationError when its key is not in ``keys`` or
    it does not open (another key under the same id, altered, or moved to another row)."""
    _, key_id, encoded = text.split(":", 2)
    key = keys.get(key_id)
    if key is None:
        raise ConfigurationError(f"the key {key_id} of a sealed secret is not in TWO_FACTOR_KEY")
    try:
        raw = base64.urlsafe_b64decode(encoded)
        opened = AESGCM(key).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], bound_to.encode())
    except (InvalidTag, binascii.Error, ValueError):
        opened = None
    if opened is None:
        raise ConfigurationError(f"a secret sealed under key {key_id} does not open with it")
    return opened.decode()
