"""Webhooks for receivers and operators: ``verify`` (a receiver's check of the
Shopdb-Signature header), ``sign``, and the signature errors. The dispatcher itself
(``db.webhooks.dispatch``) is in ``shopdb.webhooks.dispatcher`` and needs the webhooks
extra (httpx); nothing here does."""

from shopdb.models.webhooks import (
    SignatureExpired,
    SignatureHeaderMalformed,
    SignatureMismatch,
    WebhookSignatureError,
)
from shopdb.webhooks.signing import HEADER, sign, signature, verify

__all__ = [
    "HEADER",
    "SignatureExpired",
    "SignatureHeaderMalformed",
    "SignatureMismatch",
    "WebhookSignatureError",
    "sign",
    "signature",
    "verify",
]
