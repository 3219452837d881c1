"""tenacity policies for transient failures."""

from __future__ import annotations

from tenacity import (
    AsyncRetrying,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)

from shopdb.core.errors import DeadlockDetected, ReadOnlyServer, SerializationFailure

# ReadOnlyServer (25006): the transaction reached a standby or a demoted primary; nothing of it
# was applied, and the retry's connection comes from a drained pool.
RETRYABLE = (SerializationFailure, DeadlockDetected, ReadOnlyServer)


def transaction_retrying(attempts: int) -> Retrying:
    """Retry a whole transaction on 40001/40P01: exponential backoff with full jitter
    (a random wait up to 10 ms, 20 ms, 40 ms, ... capped at 500 ms).

    The caller wraps connection, BEGIN, work and COMMIT: retrying only part of it (a
    SAVEPOINT inside the failed transaction) fails every time.
    """
    return Retrying(
        stop=stop_after_attempt(attempts),
        wait=wait_random_exponential(multiplier=0.01, max=0.5),
        retry=retry_if_exception_type(RETRYABLE),
        reraise=False,
    )


def async_transaction_retrying(attempts: int) -> AsyncRetrying:
    """``transaction_retrying`` for the async API (``async for attempt in ...``)."""
    return AsyncRetrying(
        stop=stop_after_attempt(attempts),
        wait=wait_random_exponential(multiplier=0.01, max=0.5),
        retry=retry_if_exception_type(RETRYABLE),
        reraise=False,
    )
