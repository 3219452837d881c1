"""Does the server answer? One direct connection, its answer remembered for a short while.

Only a checkout that timed out with connections free to open asks (when every connection
is checked out the pool is simply exhausted). Under an outage or an overload many checkouts
time out at once: each opening a probe connection would be a connection storm, so the answer
is reused for ``interval_s`` (DATABASE_PROBE_INTERVAL_MS) and only one thread probes at a time.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from time import monotonic
from typing import Any

import psycopg

from shopdb.core.pool_metrics import count_probe


class ServerProbe:
    """``answers()``: True when a direct connection to the server succeeds (cached)."""

    def __init__(
        self, connect: Callable[[], psycopg.Connection[Any]], interval_s: float, pool_name: str
    ) -> None:
        self._connect = connect
        self.interval_s = interval_s
        self._pool_name = pool_name
        self._lock = threading.Lock()
        self._answer = False
        self._asked_at: float | None = None

    def answers(self) -> bool:
        """The last answer if younger than ``interval_s``, else a new one."""
        with self._lock:
            if self._asked_at is not None and monotonic() - self._asked_at < self.interval_s:
                return self._answer
            count_probe(self._pool_name)
            try:
                with self._connect():
                    self._answer = True
            except psycopg.Error:
                self._answer = False
            self._asked_at = monotonic()
            return self._answer

    async def answers_async(self) -> bool:
        """``answers()`` for the event loop: the probe's blocking connect runs in a thread."""
        return await asyncio.to_thread(self.answers)
