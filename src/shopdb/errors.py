"""The public home of the error hierarchy: ``from shopdb.errors import NotFoundError``."""

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
    ProgrammingError,
    QueryTimeout,
    SerializationFailure,
    ServerError,
    ShopDBError,
    StaleVersionError,
    TransactionAborted,
    TransactionBypassed,
    TransactionClosed,
    TransientError,
    WriteOutcomeUnknown,
)
from shopdb.models.carts import CartNotActive
from shopdb.models.categories import CategoryCycleError
from shopdb.models.collections import CollectionOrderError
from shopdb.models.coupons import CouponRefusal, CouponUnavailable
from shopdb.models.inventory import OutOfStockError, ReservationExceeded
from shopdb.models.orders import CheckoutRefused, IdempotencyKeyReused, IllegalStatusTransition
from shopdb.models.payments import IllegalPaymentTransition, RefundExceedsSettled
from shopdb.models.reviews import DuplicateReview, IllegalReviewTransition
from shopdb.models.seeds import SeedConfigurationError, UnknownSeedProfile
from shopdb.models.users import AccountLocked, IllegalUserStatusChange, InvalidCredentials

__all__ = [
    "AccountLocked",
    "CartNotActive",
    "CategoryCycleError",
    "CheckoutRefused",
    "CollectionOrderError",
    "ConfigurationError",
    "ConflictError",
    "ConnectionLost",
    "ConstraintViolation",
    "CouponRefusal",
    "CouponUnavailable",
    "DatabaseUnavailable",
    "DeadlockDetected",
    "DomainError",
    "DuplicateReview",
    "IdempotencyKeyReused",
    "IllegalPaymentTransition",
    "IllegalReviewTransition",
    "IllegalStatusTransition",
    "IllegalUserStatusChange",
    "InvalidCredentials",
    "InvalidCursor",
    "InvalidInput",
    "LockTimeout",
    "NotFoundError",
    "OutOfStockError",
    "PoolExhausted",
    "ProgrammingError",
    "QueryTimeout",
    "RefundExceedsSettled",
    "ReservationExceeded",
    "SeedConfigurationError",
    "SerializationFailure",
    "ServerError",
    "ShopDBError",
    "StaleVersionError",
    "TransactionAborted",
    "TransactionBypassed",
    "TransactionClosed",
    "TransientError",
    "UnknownSeedProfile",
    "WriteOutcomeUnknown",
]
