"""The example shop's table of shopdb errors to HTTP statuses: the most specific listed class
wins, and an error the table does not list gets its nearest listed base's status."""

from __future__ import annotations

from uuid import uuid4

import pytest

from examples.shop.errors import RETRY_AFTER_S, body_of, status_of
from shopdb.errors import (
    AccountLocked,
    CartNotActive,
    CheckoutRefused,
    ConflictError,
    ConstraintViolation,
    DatabaseUnavailable,
    IdempotencyKeyReused,
    InvalidCredentials,
    InvalidInput,
    NotFoundError,
    OutOfStockError,
    PoolExhausted,
    QueryTimeout,
    SerializationFailure,
    ShopDBError,
    StaleVersionError,
    WriteOutcomeUnknown,
)

CASES: list[tuple[ShopDBError, int]] = [
    (NotFoundError("cart", uuid4()), 404),
    (InvalidCredentials("user: the email or the password is wrong"), 401),
    (AccountLocked("user: locked"), 423),
    (ConflictError("taken", constraint="users_email_key"), 409),
    (StaleVersionError("order", uuid4(), 3), 409),
    (IdempotencyKeyReused("order: key used for another cart"), 409),
    (OutOfStockError("not enough"), 409),
    (CartNotActive("checked out"), 409),
    (CheckoutRefused("the cart is empty"), 422),
    (InvalidInput("bad", errors=[{"field": "email", "message": "not an email"}]), 422),
    (ConstraintViolation("check", constraint="x", table="t", column="c"), 422),
    (QueryTimeout("slow", query="products.search"), 504),
    (SerializationFailure("retries used up"), 503),
    (PoolExhausted("no connection within 2 s"), 503),
    (DatabaseUnavailable("gone"), 503),
    (WriteOutcomeUnknown("commit unanswered"), 503),
    (ShopDBError("anything else"), 500),
]


@pytest.mark.parametrize(("error", "status"), CASES, ids=[type(e).__name__ for e, _ in CASES])
def test_each_error_has_its_status(error: ShopDBError, status: int) -> None:
    assert status_of(error) == status


def test_the_body_names_the_error_its_fields_and_constraint() -> None:
    invalid = InvalidInput("NewUser: email", errors=[{"field": "email", "message": "bad"}])
    assert body_of(invalid) == {
        "error": "InvalidInput",
        "detail": "NewUser: email",
        "fields": [{"field": "email", "message": "bad"}],
    }
    taken = body_of(ConflictError("the email is taken", constraint="users_email_key"))
    assert taken["constraint"] == "users_email_key"
    assert RETRY_AFTER_S >= 1
