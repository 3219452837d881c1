"""The error hierarchy and the one place where psycopg errors become shopdb errors.

Facts come from the server's diagnostics (``exc.diag``), never from message text, and no
message carries a parameter value: the server's DETAIL line (which quotes values) is dropped.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, ParamSpec, TypeVar

import psycopg
from psycopg import errors as pg
from pydantic import ValidationError


class ShopDBError(Exception):
    """Base of every error shopdb raises. One translated from the server's keeps its
    SQLSTATE in ``sqlstate`` (psycopg's error itself is not kept: its DETAIL quotes values)."""

    sqlstate: str | None = None


class ConfigurationError(ShopDBError):
    """A setting is missing or malformed."""


class NotFoundError(ShopDBError):
    """The row asked for does not exist (or is soft-deleted)."""

    def __init__(self, entity: str, key: object) -> None:
        super().__init__(f"{entity} {key} not found")
        self.entity = entity
        self.key = key


class ConflictError(ShopDBError):
    """A unique or exclusion constraint refused the write."""

    def __init__(self, message: str, *, constraint: str | None = None, table: str | None = None):
        super().__init__(message)
        self.constraint = constraint
        self.table = table


class StaleVersionError(ConflictError):
    """An optimistic-locking update found a newer version than the one expected."""

    def __init__(self, entity: str, key: object, expected_version: int | None) -> None:
        at = f"at version {expected_version}" if expected_version is not None else "as read"
        super().__init__(f"{entity} {key} is no longer {at}: reload and retry", table=entity)
        self.entity = entity
        self.key = key
        self.expected_version = expected_version


class ConstraintViolation(ShopDBError):
    """A CHECK, NOT NULL or foreign key constraint refused the write."""

    def __init__(
        self,
        message: str,
        *,
        constraint: str | None = None,
        table: str | None = None,
        column: str | None = None,
        sqlstate: str | None = None,
    ) -> None:
        super().__init__(message)
        self.constraint = constraint
        self.table = table
        self.column = column
        self.sqlstate = sqlstate


class ServerError(ShopDBError):
    """Any other error the server reported (out of disk, program limit, ...); see .sqlstate."""

    def __init__(self, message: str, *, sqlstate: str | None = None) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


class TransactionAborted(ShopDBError):
    """A statement failed inside a transaction block whose code caught the error: the
    transaction was rolled back instead of committed."""


class TransactionClosed(ShopDBError):
    """A Transaction was used after its ``with`` block ended."""


class InvalidInput(ShopDBError, ValueError):
    """A value refused as malformed: by an input model (``NewUser(...)``, a field out of its
    limits), by a repository's own check, or by the server (bad text representation, out of
    range...). ``errors`` says which field and why, one ``{"field", "message", "type"}`` dict
    of strings each (JSON as it is; ``field`` is the dotted path, ``""`` for a rule of the
    whole model); it never holds the rejected value. Empty when the message says it all."""

    def __init__(self, message: str, *, errors: Iterable[Mapping[str, str]] = ()) -> None:
        super().__init__(message)
        self.errors: list[dict[str, str]] = [dict(error) for error in errors]


class DomainError(ShopDBError):
    """Base of the business-rule errors (out of stock, illegal status change, ...).

    Raised by a repository, or by the translation of a constraint that a repository maps to
    it (``constraint_errors``): then ``constraint``, ``table`` and ``column`` say which.
    """

    def __init__(
        self,
        message: str,
        *,
        constraint: str | None = None,
        table: str | None = None,
        column: str | None = None,
    ) -> None:
        super().__init__(message)
        self.constraint = constraint
        self.table = table
        self.column = column


class ProgrammingError(ShopDBError):
    """shopdb was called wrongly: a query with parameters other than those it declares, a
    helper that does not fit the statement, a query its repository does not declare."""


class TransactionBypassed(ProgrammingError):
    """A ``db.<repo>`` call was made inside ``with db.transaction()`` on the same thread: it
    would take a second connection, miss the transaction's writes and could wait on its locks."""


class TransientError(ShopDBError):
    """A failure that may pass on retry; raised as is when the retries are used up."""


class SerializationFailure(TransientError):
    """SQLSTATE 40001: the transaction conflicted with a concurrent one."""


class DeadlockDetected(TransientError):
    """SQLSTATE 40P01: the transaction was chosen as a deadlock victim."""


class DatabaseUnavailable(ShopDBError):
    """The server cannot be reached or the connection was lost."""


class PoolExhausted(DatabaseUnavailable):
    """Every connection of the pool stayed busy for longer than the checkout timeout."""


class ConnectionLost(DatabaseUnavailable):
    """The connection broke while a statement ran."""


class WriteOutcomeUnknown(ConnectionLost):
    """The connection broke during a write: it may or may not have been applied."""


class ReadOnlyServer(DatabaseUnavailable):
    """SQLSTATE 25006: the connection reached a server that takes no writes (a standby, or a
    primary demoted by a failover): the statement was not applied."""


class QueryTimeout(ShopDBError):
    """The statement was cancelled by statement_timeout (or waited too long for a lock)."""

    def __init__(self, message: str, *, query: str) -> None:
        super().__init__(message)
        self.query = query


class LockTimeout(QueryTimeout):
    """SQLSTATE 55P03: lock_timeout expired."""


class InvalidCursor(ShopDBError, ValueError):
    """A pagination cursor was forged, corrupted or issued for another listing."""


_CONNECTION_GONE = ("57P01", "57P02", "57P03")
READ_ONLY_SQLSTATE = "25006"  # read_only_sql_transaction
# Raised by the next_version() SQL function (migration 0012) when a versioned update is stale.
STALE_VERSION_SQLSTATE = "SV001"


@dataclass(frozen=True, slots=True)
class ConstraintRules:
    """What a repository says about its constraints: the sentence each one's error carries
    (``messages``) and the domain error raised in place of ConstraintViolation (``errors``).
    Every statement carries the rules of the repository that declares it."""

    messages: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    errors: Mapping[str, type[DomainError]] = field(default_factory=lambda: MappingProxyType({}))

    def message(self, constraint: str | None, default: str) -> str:
        """The declared sentence for ``constraint``, else ``default``."""
        return self.messages.get(constraint or "", default)

    @classmethod
    def union(cls, all_rules: Iterable[ConstraintRules]) -> ConstraintRules:
        """The rules of several repositories at once (a COMMIT's deferred constraints)."""
        listed = list(all_rules)
        return cls(
            {name: text for rules in listed for name, text in rules.messages.items()},
            {name: error for rules in listed for name, error in rules.errors.items()},
        )


NO_RULES = ConstraintRules()
"""The rules of a statement no repository declares (BEGIN, COMMIT, a savepoint)."""


def invalid_input(model: str, exc: ValidationError) -> InvalidInput:
    """The InvalidInput for pydantic's refusal of input to ``model``: one entry of ``errors``
    per problem, and a message naming the model and each field at fault (no value: pydantic's
    messages state the rule broken, and the input and context are left out)."""
    errors = [
        {
            "field": ".".join(str(part) for part in error["loc"]),
            "message": error["msg"].removeprefix("Value error, "),
            "type": error["type"],
        }
        for error in exc.errors(include_url=False, include_context=False, include_input=False)
    ]
    problems = "; ".join(
        f"{error['field']}: {error['message']}" if error["field"] else error["message"]
        for error in errors
    )
    return InvalidInput(f"invalid {model}: {problems}", errors=errors)


def translate(
    exc: psycopg.Error,
    query: str,
    conn: psycopg.Connection[Any] | psycopg.AsyncConnection[Any] | None = None,
    rules: ConstraintRules = NO_RULES,
) -> ShopDBError:
    """The shopdb error for a psycopg error raised while running ``query`` (on ``conn``),
    with the constraint ``rules`` of the repository that ran it."""
    error = _translated(exc, query, conn, rules)
    if error.sqlstate is None:
        error.sqlstate = exc.sqlstate
    return error


def _translated(
    exc: psycopg.Error,
    query: str,
    conn: psycopg.Connection[Any] | psycopg.AsyncConnection[Any] | None,
    rules: ConstraintRules,
) -> ShopDBError:
    state = exc.sqlstate or ""
    # A client-side failure (no SQLSTATE) of an OperationalError is a lost connection too.
    lost = state.startswith("08") or state in _CONNECTION_GONE
    lost = lost or (not state and isinstance(exc, psycopg.OperationalError))
    if lost or (conn is not None and conn.closed):
        return ConnectionLost(f"{query}: connection to the database lost")
    if state == READ_ONLY_SQLSTATE:
        return ReadOnlyServer(f"{query}: the server is read-only (25006); nothing was applied")
    if state == STALE_VERSION_SQLSTATE:
        return StaleVersionError("row", None, None)
    diag = exc.diag
    constraint, table, column = diag.constraint_name, diag.table_name, diag.column_name
    domain = rules.errors.get(constraint or "")
    if domain is not None and isinstance(exc, pg.IntegrityError):
        text = rules.message(constraint, f"{table}: the rule {constraint} holds")
        return domain(f"{constraint}: {text}", constraint=constraint, table=table, column=column)
    if isinstance(exc, pg.UniqueViolation | pg.ExclusionViolation):
        text = rules.message(constraint, f"a {table} row with this key exists")
        return ConflictError(f"{constraint}: {text}", constraint=constraint, table=table)
    if isinstance(exc, pg.IntegrityError):
        return _violation(exc, constraint, table, column, rules)
    if isinstance(exc, pg.SerializationFailure):
        return SerializationFailure(f"{query}: could not serialize access (40001)")
    if isinstance(exc, pg.DeadlockDetected):
        return DeadlockDetected(f"{query}: deadlock detected (40P01)")
    if isinstance(exc, pg.LockNotAvailable):
        return LockTimeout(f"{query}: gave up waiting for a lock (lock_timeout)", query=query)
    if isinstance(exc, pg.QueryCanceled):
        return QueryTimeout(f"{query}: cancelled by statement_timeout", query=query)
    if isinstance(exc, pg.DataError):
        # The server's text quotes the rejected value: name only the kind of error.
        where = f" for {table}.{column}" if table and column else ""
        invalid = InvalidInput(
            f"{query}: invalid value{where} ({type(exc).__name__}, {exc.sqlstate})"
        )
        invalid.sqlstate = exc.sqlstate
        return invalid
    return ServerError(
        f"{query}: {type(exc).__name__} (SQLSTATE {state or 'none'})", sqlstate=exc.sqlstate
    )


def _violation(
    exc: psycopg.Error,
    constraint: str | None,
    table: str | None,
    column: str | None,
    rules: ConstraintRules,
) -> ConstraintViolation:
    if isinstance(exc, pg.NotNullViolation):
        name = constraint or f"{table}_{column}_not_null"
        text = f"{table}.{column} may not be null"
    elif isinstance(exc, pg.ForeignKeyViolation):
        name = constraint or "foreign_key"
        text = f"{table}: the write would leave a reference without its row"
    else:
        name = constraint or "check"
        text = f"{table}: value breaks the rule {name}"
    text = rules.message(name, text)
    return ConstraintViolation(
        f"{name}: {text}", constraint=name, table=table, column=column, sqlstate=exc.sqlstate
    )


_P = ParamSpec("_P")
_R = TypeVar("_R")


def detach_driver_errors(error: BaseException) -> None:
    """Cut every psycopg (and psycopg_pool) error out of ``error``'s chain: its DETAIL quotes
    values (a duplicate email, a card token) that a formatted traceback would show."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current.__cause__, psycopg.Error):
            current.__cause__ = None
        if isinstance(current.__context__, psycopg.Error):
            current.__context__ = None
            current.__suppress_context__ = False
        current = current.__cause__ or current.__context__


def without_driver_errors(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """Decorate an entry point that turns psycopg errors into shopdb errors inside an
    ``except`` (a connect, a yoyo call): the shopdb error leaves with no psycopg error as its
    ``__cause__`` or ``__context__``."""

    @functools.wraps(fn)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return fn(*args, **kwargs)
        except ShopDBError as error:
            detach_driver_errors(error)
            raise

    return wrapper
