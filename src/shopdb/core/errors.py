"""The error hierarchy and the one place where psycopg errors become shopdb errors.

Facts come from the server's diagnostics (``exc.diag``), never from message text, and no
message carries a parameter value: the server's DETAIL line (which quotes values) is dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

import psycopg
from psycopg import errors as pg

_constraint_messages: dict[str, str] = {}
_constraint_errors: dict[str, type[DomainError]] = {}


def use_constraint_rules(
    messages: Mapping[str, str], domain_errors: Mapping[str, type[DomainError]]
) -> None:
    """Install the constraint messages and domain errors of every repository (replacing any
    installed before): shopdb.repositories calls it once, with all of them collected."""
    _constraint_messages.clear()
    _constraint_messages.update(messages)
    _constraint_errors.clear()
    _constraint_errors.update(domain_errors)


class ShopDBError(Exception):
    """Base of every error shopdb raises."""


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
    """The server rejected a value as malformed (bad text representation, out of range...)."""


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


class IllegalUserStatusChange(DomainError):
    """A user status change the rules refuse: only an ACTIVE user can be suspended and only
    a SUSPENDED one reactivated (a deleted user is restored, not reactivated)."""


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
# Raised by the next_version() SQL function (migration 0012) when a versioned update is stale.
STALE_VERSION_SQLSTATE = "SV001"


def translate(
    exc: psycopg.Error, query: str, conn: psycopg.Connection[Any] | None = None
) -> ShopDBError:
    """The shopdb error for a psycopg error raised while running ``query`` (on ``conn``)."""
    state = exc.sqlstate or ""
    # A client-side failure (no SQLSTATE) of an OperationalError is a lost connection too.
    lost = state.startswith("08") or state in _CONNECTION_GONE
    lost = lost or (not state and isinstance(exc, psycopg.OperationalError))
    if lost or (conn is not None and conn.closed):
        return ConnectionLost(f"{query}: connection to the database lost")
    if state == STALE_VERSION_SQLSTATE:
        return StaleVersionError("row", None, None)
    diag = exc.diag
    constraint, table, column = diag.constraint_name, diag.table_name, diag.column_name
    domain = _constraint_errors.get(constraint or "")
    if domain is not None and isinstance(exc, pg.IntegrityError):
        text = _constraint_messages.get(constraint or "", f"{table}: the rule {constraint} holds")
        return domain(f"{constraint}: {text}", constraint=constraint, table=table, column=column)
    if isinstance(exc, pg.UniqueViolation | pg.ExclusionViolation):
        text = _constraint_messages.get(constraint or "", f"a {table} row with this key exists")
        return ConflictError(f"{constraint}: {text}", constraint=constraint, table=table)
    if isinstance(exc, pg.IntegrityError):
        return _violation(exc, constraint, table, column)
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
        return InvalidInput(f"{query}: invalid value{where} ({type(exc).__name__}, {exc.sqlstate})")
    return ServerError(
        f"{query}: {type(exc).__name__} (SQLSTATE {state or 'none'})", sqlstate=exc.sqlstate
    )


def _violation(
    exc: psycopg.Error, constraint: str | None, table: str | None, column: str | None
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
    text = _constraint_messages.get(name, text)
    return ConstraintViolation(
        f"{name}: {text}", constraint=name, table=table, column=column, sqlstate=exc.sqlstate
    )


# --- carts ---------------------------------------------------------------------------------


class CartNotActive(DomainError):
    """The cart was checked out or abandoned: its lines can no longer change."""


# --- commerce domain errors (issue 11: addresses, coupons, reviews, payments) ---------------


class CouponRefusal(StrEnum):
    """Why a coupon cannot be used now (``CouponUnavailable.reason``)."""

    UNKNOWN = "UNKNOWN"
    INACTIVE = "INACTIVE"
    NOT_STARTED = "NOT_STARTED"
    EXPIRED = "EXPIRED"
    USAGE_LIMIT_REACHED = "USAGE_LIMIT_REACHED"
    BELOW_MIN_ORDER = "BELOW_MIN_ORDER"


class CouponUnavailable(DomainError):
    """A coupon that does not apply: ``reason`` says why (unknown code, inactive, outside its
    date window, usage limit reached, order below its minimum). Raised by coupons.validate,
    and in place of the coupons_usage_count_limit_check violation when a usage would exceed
    the limit."""

    def __init__(
        self,
        message: str,
        *,
        reason: CouponRefusal = CouponRefusal.USAGE_LIMIT_REACHED,
        constraint: str | None = None,
        table: str | None = None,
        column: str | None = None,
    ) -> None:
        super().__init__(message, constraint=constraint, table=table, column=column)
        self.reason = reason


class DuplicateReview(DomainError, ConflictError):
    """The user has already reviewed this product (one review per user per product); a
    ConflictError too, like every duplicate key."""


class IllegalReviewTransition(DomainError):
    """A moderation step the review's status does not allow (only PENDING is moderated)."""


class IllegalPaymentTransition(DomainError):
    """A payment step its status does not allow (a FAILED payment cannot settle, ...), or a
    settlement whose order is no longer PENDING."""


class RefundExceedsSettled(DomainError):
    """The refunds of a payment would add up to more than it settled (or it is not settled)."""


# --- end of commerce domain errors ----------------------------------------------------------


# --- domain errors: categories, collections (issue 10, points 3-4) ----------------------------


class CategoryCycleError(DomainError, ConstraintViolation):
    """A move would put a category under itself or one of its own descendants
    (categories_parent_id_cycle_check, SQLSTATE 23514). Also a ConstraintViolation, as it
    was before it had a class of its own: code that caught that still catches it."""

    def __init__(
        self,
        message: str,
        *,
        constraint: str | None = None,
        table: str | None = None,
        column: str | None = None,
    ) -> None:
        super().__init__(message, constraint=constraint, table=table, column=column)
        self.sqlstate = "23514"


class CollectionOrderError(DomainError):
    """A reorder of a collection did not list each of its live products exactly once."""


# --- catalog (issue 10: products and inventory) -------------------------------------------
# Raised by db.inventory, and by the translation of the inventory CHECK constraints that
# InventoryRepository.constraint_errors maps to them.


class OutOfStockError(DomainError):
    """A reservation or stock change would take a variant's available quantity below zero.

    ``variant_id``, ``requested`` and ``available`` are set when the repository knows them
    (a refused reservation); a refusal by a CHECK constraint names the constraint instead.
    """

    def __init__(
        self,
        message: str,
        *,
        constraint: str | None = None,
        table: str | None = None,
        column: str | None = None,
        variant_id: object = None,
        requested: int | None = None,
        available: int | None = None,
    ) -> None:
        super().__init__(message, constraint=constraint, table=table, column=column)
        self.variant_id = variant_id
        self.requested = requested
        self.available = available

    @classmethod
    def for_variant(cls, variant_id: object, requested: int, available: int) -> OutOfStockError:
        """The error for ``requested`` units of a variant that has ``available``."""
        return cls(
            f"variant {variant_id} is out of stock: {requested} requested, {available} available",
            table="inventory",
            column="quantity_available",
            variant_id=variant_id,
            requested=requested,
            available=available,
        )


class ReservationExceeded(DomainError):
    """A release or commit of more units than the variant has reserved."""

    def __init__(
        self,
        message: str,
        *,
        constraint: str | None = None,
        table: str | None = None,
        column: str | None = None,
        variant_id: object = None,
        requested: int | None = None,
        reserved: int | None = None,
    ) -> None:
        super().__init__(message, constraint=constraint, table=table, column=column)
        self.variant_id = variant_id
        self.requested = requested
        self.reserved = reserved

    @classmethod
    def for_variant(cls, variant_id: object, requested: int, reserved: int) -> ReservationExceeded:
        """The error for releasing or committing ``requested`` units of ``reserved``."""
        return cls(
            f"variant {variant_id}: {requested} units released or sold, only {reserved} reserved",
            table="inventory",
            column="quantity_reserved",
            variant_id=variant_id,
            requested=requested,
            reserved=reserved,
        )


# --- orders --------------------------------------------------------------------------------


class CheckoutRefused(DomainError):
    """A cart that cannot be checked out: empty, a guest's, or with an address that is not
    its user's."""


class IdempotencyKeyReused(DomainError, ConflictError):
    """The idempotency key already placed an order from another cart; a ConflictError too,
    like every duplicate key."""


class IllegalStatusTransition(DomainError):
    """An order status change that the order state machine does not allow."""


# --- seeds ---------------------------------------------------------------------------------


class UnknownSeedProfile(InvalidInput):
    """``seed`` was asked for a profile that is not one of ``shopdb.seeds.PROFILES``."""


class SeedConfigurationError(ConfigurationError):
    """A seed profile needs a setting that is missing or unfit (the admin's password of the
    prod profile); nothing was written."""
