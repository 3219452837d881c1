"""A chaos loop: worker threads call the database while the server kills its backends.

Every kill is recorded as a window: from just before the statement that signals every
backend of the pool until it returned. A failed call whose own window overlaps no kill
window is unexplained: the pool should have hidden it.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from time import monotonic
from typing import Any

import psycopg

from shopdb import ShopDBError


@dataclass
class ChaosReport:
    """What a chaos run saw: kill windows, calls made and the failures nothing explains."""

    kills: int = 0
    calls: int = 0
    failures: int = 0
    kill_windows: list[tuple[float, float]] = field(default_factory=list)
    unexplained: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """One paragraph for an assertion message."""
        shown = "; ".join(self.unexplained[:5])
        return (
            f"{len(self.unexplained)} of {self.failures} failures overlap no kill "
            f"({self.calls} calls, {self.kills} kills): {shown}"
        )


def kill_backends(admin: psycopg.Connection[Any], application_name: str) -> int:
    """Send every backend of ``application_name`` the signal to terminate (at once)."""
    rows = admin.execute(
        "SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE application_name = %s AND pid <> pg_backend_pid()",
        [application_name],
    ).fetchall()
    return len(rows)


def run_chaos(
    admin: psycopg.Connection[Any],
    application_name: str,
    workers: Sequence[Callable[[], object]],
    *,
    duration_s: float,
    max_kills: int,
    pause_s: tuple[float, float],
    seed: int = 8,
) -> ChaosReport:
    """Run every worker in a loop in its own thread while this thread kills the backends of
    ``application_name`` after a random pause in ``pause_s``, until ``duration_s`` passed or
    ``max_kills`` kills were made."""
    report = ChaosReport()
    stop = threading.Event()
    lock = threading.Lock()
    failed: list[tuple[float, float, str]] = []
    started = threading.Barrier(len(workers) + 1)

    def loop(work: Callable[[], object]) -> None:
        started.wait()
        while not stop.is_set():
            begin = monotonic()
            try:
                work()
            except ShopDBError as exc:
                with lock:
                    failed.append((begin, monotonic(), f"{type(exc).__name__}: {exc}"))
            with lock:
                report.calls += 1

    threads = [threading.Thread(target=loop, args=(work,), daemon=True) for work in workers]
    for thread in threads:
        thread.start()
    pace = random.Random(seed)
    started.wait()
    deadline = monotonic() + duration_s
    try:
        while monotonic() < deadline and report.kills < max_kills:
            stop.wait(pace.uniform(*pause_s))  # the chaos's own rhythm, not a synchronisation
            begin = monotonic()
            kill_backends(admin, application_name)
            report.kill_windows.append((begin, monotonic()))
            report.kills += 1
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
    report.failures = len(failed)
    report.unexplained = [
        f"{message} ({(end - begin) * 1000:.0f} ms call)"
        for begin, end, message in failed
        if not any(begin <= k_end and end >= k_begin for k_begin, k_end in report.kill_windows)
    ]
    return report
