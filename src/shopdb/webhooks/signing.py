"""The webhook signature: ``Shopdb-Signature: t=<unix seconds>,v1=<hex>``, where the hex is
HMAC-SHA-256 under the endpoint's secret of ``f"{t}.{body}"``. A receiver checks it with
``verify`` (no shopdb database, no httpx needed)."""

from __future__ import annotations

import hashlib
import hmac
import time

from shopdb.models.webhooks import SignatureExpired, SignatureHeaderMalformed, SignatureMismatch

HEADER = "Shopdb-Signature"
SCHEME = "v1"


def _bytes(value: str | bytes) -> bytes:
    return value.encode() if isinstance(value, str) else value


def signature(secret: str | bytes, timestamp: int, body: str | bytes) -> str:
    """The hex HMAC-SHA-256 under ``secret`` of ``f"{timestamp}.{body}"``."""
    signed = str(timestamp).encode() + b"." + _bytes(body)
    return hmac.new(_bytes(secret), signed, hashlib.sha256).hexdigest()


def sign(secret: str | bytes, body: str | bytes, *, timestamp: int | None = None) -> str:
    """The Shopdb-Signature header value of ``body``, signed now (or at ``timestamp``)."""
    t = int(time.time()) if timestamp is None else timestamp
    return f"t={t},{SCHEME}={signature(secret, t, body)}"


def verify(
    secret: str | bytes,
    header: str | None,
    body: str | bytes,
    tolerance_s: int = 300,
    *,
    now: float | None = None,
) -> int:
    """Check a webhook as received: ``header`` (the Shopdb-Signature value) must carry a v1
    signature of exactly ``body`` (the raw bytes, before any JSON parsing) under
    ``secret``, made at most ``tolerance_s`` seconds from now. Returns the signed timestamp.
    Raises SignatureHeaderMalformed, SignatureMismatch or SignatureExpired (all
    WebhookSignatureError); no message quotes the secret or the expected signature."""
    timestamp, candidates = _parse(header)
    expected = signature(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, given) for given in candidates):
        raise SignatureMismatch("the webhook's signature does not match its body and secret")
    age = (time.time() if now is None else now) - timestamp
    if abs(age) > tolerance_s:
        raise SignatureExpired(
            f"the webhook was signed {int(age)} s ago, beyond the tolerance of {tolerance_s} s"
        )
    return timestamp


def _parse(header: str | None) -> tuple[int, list[str]]:
    """The timestamp and the v1 signatures of a header (several while a secret rotates)."""
    if not header:
        raise SignatureHeaderMalformed(f"no {HEADER} header")
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == SCHEME and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        raise SignatureHeaderMalformed(f"the {HEADER} header is not t=<seconds>,v1=<hex>")
    return timestamp, candidates
