"""The outbox worker behind ``shopdb dispatch``: webhook batches (and the notifications
consumer) in a loop, idling when there is nothing to do, stopping cleanly on SIGTERM/SIGINT
after the batch in hand (a batch killed harder leaves its leases to run out: its deliveries
are retried by the next worker)."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shopdb.database import Database

log = logging.getLogger("shopdb.webhooks")


@dataclass(frozen=True)
class WorkerOptions:
    """How the worker loops: the batch size, the pause when idle, one pass only, and
    whether it also makes the notifications."""

    limit: int = 100
    idle_s: float = 1.0
    once: bool = False
    notifications: bool = True


def run(db: Database, options: WorkerOptions, stop: threading.Event | None = None) -> int:
    """Loop until ``stop`` is set (or after one pass with ``once``); attempts made in all."""
    stopping = stop or threading.Event()
    restore = _stop_on_signals(stopping) if stop is None else (lambda: None)
    total = 0
    try:
        while not stopping.is_set():
            attempts = db.webhooks.dispatch(limit=options.limit)
            consumed = (
                db.notifications.consume_events(options.limit) if options.notifications else 0
            )
            total += attempts
            if options.once:
                break
            if attempts == 0 and consumed == 0:
                stopping.wait(options.idle_s)
    finally:
        restore()
    return total


def _stop_on_signals(stopping: threading.Event) -> Callable[[], None]:
    """SIGTERM and SIGINT set ``stopping``; the returned function puts the old handlers back."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}

    def handle(signum: int, _frame: object) -> None:
        log.info("signal %d: stopping after the batch in hand", signum)
        stopping.set()

    for sig in previous:
        signal.signal(sig, handle)

    def restore() -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    return restore
