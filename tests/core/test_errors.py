"""psycopg errors raised by a real server become the shopdb hierarchy, facts from diagnostics."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from shopdb.core import errors
from shopdb.core.errors import translate
from shopdb.repositories.users import UserRepository

HASH = "$2b$12$" + "e" * 53


@pytest.fixture
def conn(db_url: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(db_url, autocommit=True) as connection:
        yield connection


def _raised(conn: psycopg.Connection[Any], statement: str, params: list[Any]) -> psycopg.Error:
    with pytest.raises(psycopg.Error) as caught:
        conn.execute(statement, params)
    return caught.value


def test_a_unique_violation_is_a_conflict_naming_the_constraint_without_the_value(
    conn: psycopg.Connection[Any],
) -> None:
    insert = "INSERT INTO users (email, password_hash) VALUES (%s, %s)"
    conn.execute(insert, ["dup@example.com", HASH])
    error = translate(
        _raised(conn, insert, ["DUP@example.com", HASH]),
        "users.create",
        rules=UserRepository.constraint_rules(),
    )

    assert isinstance(error, errors.ConflictError)
    assert error.constraint == "users_email_lower_key" and error.table == "users"
    assert str(error) == "users_email_lower_key: a user with this email already exists"
    assert "dup@example.com" not in str(error).lower()


def test_a_check_violation_names_constraint_and_table(conn: psycopg.Connection[Any]) -> None:
    insert = "INSERT INTO users (email, password_hash, status) VALUES (%s, %s, %s)"
    error = translate(_raised(conn, insert, ["c@example.com", HASH, "GONE"]), "users.create")

    assert isinstance(error, errors.ConstraintViolation)
    assert (error.constraint, error.table, error.sqlstate) == (
        "users_status_check",
        "users",
        "23514",
    )


def test_a_not_null_violation_names_the_column(conn: psycopg.Connection[Any]) -> None:
    insert = "INSERT INTO users (email, password_hash) VALUES (%s, NULL)"
    error = translate(_raised(conn, insert, ["n@example.com"]), "users.create")

    assert isinstance(error, errors.ConstraintViolation)
    assert (error.table, error.column, error.sqlstate) == ("users", "password_hash", "23502")


def test_a_malformed_value_is_invalid_input(conn: psycopg.Connection[Any]) -> None:
    error = translate(_raised(conn, "SELECT %s::uuid", ["not-a-uuid"]), "users.get")

    assert isinstance(error, errors.InvalidInput)
    assert str(error).startswith("users.get:")
    assert "not-a-uuid" not in str(error)


def test_a_statement_timeout_is_a_query_timeout_naming_the_query(
    conn: psycopg.Connection[Any],
) -> None:
    conn.execute("SET statement_timeout = '20ms'")
    error = translate(_raised(conn, "SELECT pg_sleep(%s)", [1]), "slow.thing")

    assert isinstance(error, errors.QueryTimeout)
    assert error.query == "slow.thing"


def test_a_lock_timeout_is_a_lock_timeout_and_a_query_timeout(
    conn: psycopg.Connection[Any], db_url: str
) -> None:
    with psycopg.connect(db_url) as holder:
        holder.execute("LOCK TABLE users IN ACCESS EXCLUSIVE MODE")
        conn.execute("SET lock_timeout = '20ms'")
        error = translate(_raised(conn, "SELECT count(*) FROM users", []), "users.count")

    assert isinstance(error, errors.LockTimeout) and isinstance(error, errors.QueryTimeout)


def test_a_closed_connection_is_connection_lost(db_url: str) -> None:
    conn = psycopg.connect(db_url, autocommit=True)
    with psycopg.connect(db_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [conn.info.backend_pid])
    error = translate(_raised(conn, "SELECT 1", []), "health.ping")
    conn.close()

    assert isinstance(error, errors.ConnectionLost)
    assert isinstance(error, errors.DatabaseUnavailable)


def test_the_hierarchy_matches_the_design() -> None:
    assert issubclass(errors.StaleVersionError, errors.ConflictError)
    assert issubclass(errors.PoolExhausted, errors.DatabaseUnavailable)
    assert issubclass(errors.SerializationFailure, errors.TransientError)
    assert issubclass(errors.DeadlockDetected, errors.TransientError)
    for name in (
        "NotFoundError",
        "ConflictError",
        "ConstraintViolation",
        "TransientError",
        "DatabaseUnavailable",
        "QueryTimeout",
        "InvalidCursor",
    ):
        assert issubclass(getattr(errors, name), errors.ShopDBError)
