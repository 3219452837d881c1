"""Which callers are inside a transaction block of a Database: a ``db.<repo>`` call there is
refused (TransactionBypassed). The sync API counts per thread, the async one per task
(a context variable: a task sees the blocks of the task that created it, as it started)."""

from __future__ import annotations

import threading
from contextvars import ContextVar


class TransactionTracker:
    """Which threads are inside ``with db.transaction()``: a ``db.<repo>`` call there is refused."""

    def __init__(self) -> None:
        self._local = threading.local()

    def active(self) -> bool:
        """True while the calling thread is inside a transaction block of this Database."""
        return bool(getattr(self._local, "depth", 0))

    def __enter__(self) -> None:
        self._local.depth = getattr(self._local, "depth", 0) + 1

    def __exit__(self, *exc: object) -> None:
        self._local.depth -= 1


class AsyncTransactionTracker:
    """Which tasks are inside ``async with db.transaction()``: a ``db.<repo>`` call there is
    refused."""

    def __init__(self) -> None:
        self._depth: ContextVar[int] = ContextVar(f"shopdb_transactions_{id(self)}", default=0)

    def active(self) -> bool:
        """True while the calling task is inside a transaction block of this AsyncDatabase."""
        return bool(self._depth.get())

    def __enter__(self) -> None:
        self._depth.set(self._depth.get() + 1)

    def __exit__(self, *exc: object) -> None:
        self._depth.set(self._depth.get() - 1)
