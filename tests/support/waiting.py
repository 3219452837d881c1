"""Waiting for a condition that no event announces (psycopg_pool's internal state)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from time import monotonic


def until(condition: Callable[[], bool], timeout_s: float = 10.0, what: str = "") -> None:
    """Return as soon as ``condition()`` holds; fail after ``timeout_s``. Polls every 5 ms."""
    deadline = monotonic() + timeout_s
    tick = threading.Event()
    while not condition():
        if monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout_s} s waiting for {what or condition}")
        tick.wait(0.005)
