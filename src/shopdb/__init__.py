"""shopdb: the data layer of an e-commerce backend, named SQL over a psycopg 3 pool."""

from shopdb.core.errors import (
    ConfigurationError,
    ConflictError,
    ConnectionLost,
    ConstraintViolation,
    DatabaseUnavailable,
    DeadlockDetected,
    DomainError,
    InvalidCursor,
    InvalidInput,
    LockTimeout,
    NotFoundError,
    PoolExhausted,
    QueryTimeout,
    SerializationFailure,
    ShopDBError,
    StaleVersionError,
    TransientError,
    WriteOutcomeUnknown,
)
from shopdb.core.paging import CursorPage, Page
from shopdb.database import Database, Health, Transaction
from shopdb.settings import Settings

__all__ = [
    "ConfigurationError",
    "ConflictError",
    "ConnectionLost",
    "ConstraintViolation",
    "CursorPage",
    "Database",
    "DatabaseUnavailable",
    "DeadlockDetected",
    "DomainError",
    "Health",
    "InvalidCursor",
    "InvalidInput",
    "LockTimeout",
    "NotFoundError",
    "Page",
    "PoolExhausted",
    "QueryTimeout",
    "SerializationFailure",
    "Settings",
    "ShopDBError",
    "StaleVersionError",
    "Transaction",
    "TransientError",
    "WriteOutcomeUnknown",
]
