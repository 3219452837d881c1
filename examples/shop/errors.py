"""shopdb's typed errors as HTTP answers: one table, looked up along the error's class
hierarchy (the most specific class listed wins), so a new domain error of the library gets
the status of its nearest listed base without a change here."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from shopdb.errors import (
    AccountLocked,
    CheckoutRefused,
    ConflictError,
    ConstraintViolation,
    DatabaseUnavailable,
    DomainError,
    InvalidCredentials,
    InvalidCursor,
    InvalidInput,
    NotFoundError,
    QueryTimeout,
    ShopDBError,
    TransientError,
    WriteOutcomeUnknown,
)

STATUS: dict[type[ShopDBError], int] = {
    NotFoundError: 404,  # another customer's row too: the view finds nothing
    InvalidCredentials: 401,
    AccountLocked: 423,
    ConflictError: 409,  # a duplicate email, a stale version, a reused idempotency key
    DomainError: 409,  # the state refuses: out of stock, cart checked out, order not payable
    CheckoutRefused: 422,  # an empty cart, an address that is not the shopper's
    InvalidInput: 422,
    InvalidCursor: 422,
    ConstraintViolation: 422,
    QueryTimeout: 504,
    TransientError: 503,  # serialization failures left after the retries
    DatabaseUnavailable: 503,  # the pool exhausted, the server gone
    WriteOutcomeUnknown: 503,  # retry with the same Idempotency-Key: never a second order
}
RETRY_AFTER_S = 1
"""What a 503 tells the client to wait before it tries again."""


def status_of(exc: ShopDBError) -> int:
    """The HTTP status of ``exc``: its own class's, or its nearest listed base's (500)."""
    for kind in type(exc).__mro__:
        if kind in STATUS:
            return STATUS[kind]
    return 500


def body_of(exc: ShopDBError) -> dict[str, Any]:
    """What the client sees: the error's name and message (shopdb's messages quote no
    value), the fields of an InvalidInput, the constraint of a conflict."""
    body: dict[str, Any] = {"error": type(exc).__name__, "detail": str(exc)}
    if isinstance(exc, InvalidInput):
        body["fields"] = [dict(error) for error in exc.errors]
    if isinstance(exc, ConflictError) and exc.constraint:
        body["constraint"] = exc.constraint
    return body


async def _answer(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ShopDBError)
    status = status_of(exc)
    headers = {"Retry-After": str(RETRY_AFTER_S)} if status == 503 else None
    return JSONResponse(body_of(exc), status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    """Answer every shopdb error by the table above."""
    app.add_exception_handler(ShopDBError, _answer)
