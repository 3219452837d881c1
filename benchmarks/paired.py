"""Two ways of running one query, timed call by call in alternation.

This machine's speed drifts by 2x within seconds (a shared VM: the same 3,000 pairs of
lookups took 1.2 s in one block and 3.2 s in the next). Two benchmarks run one after the
other then compare two moments, not two code paths: run that way, one session put the
repository at 0.59x raw psycopg for users.get and 1.75x for users.find_by_email. So each
benchmark here times its path with pytest-benchmark, one call per round, and the untimed
setup of every round runs the other path once, timing it on the side. Both paths thus
alternate call by call and see the same load; the repository/raw ratio pools every call of
each path in the group (see ratios.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from statistics import median
from time import perf_counter
from typing import Any

from pytest_benchmark.fixture import BenchmarkFixture

# Seconds per call of the path run in each round's setup, by benchmark (pytest node id).
OTHER_ROUNDS: dict[str, list[float]] = {}
WARMUP_CALLS = 50


@dataclass(frozen=True, slots=True)
class Path:
    """One way of running a query: the call, and how to make the input of one call."""

    name: str
    call: Callable[[Any], Any]
    make_input: Callable[[], Any]
    self_timed: bool = False

    def run_once(self) -> Any:
        """One call with fresh input (untimed)."""
        return self.call(self.make_input())


def measure(benchmark: BenchmarkFixture, measured: Path, other: Path, *, rounds: int) -> Any:
    """Time ``measured`` with pytest-benchmark, alternating each call with one of ``other``.

    The inputs are made outside the timed call. Returns what the last measured call returned.
    """
    for _ in range(WARMUP_CALLS):  # past psycopg's prepare_threshold on every pooled connection
        measured.run_once()
        other.run_once()
    other_s: list[float] = []

    def setup() -> tuple[tuple[Any], dict[str, Any]]:
        value = other.make_input()
        start = perf_counter()
        other.call(value)
        other_s.append(perf_counter() - start)
        return (measured.make_input(),), {}

    result = benchmark.pedantic(  # type: ignore[no-untyped-call]  # pytest-benchmark's own
        measured.call, setup=setup, rounds=rounds
    )
    OTHER_ROUNDS[benchmark.fullname] = other_s
    benchmark.extra_info.update(
        path=measured.name,
        other_path=other.name,
        other_median_us=round(median(other_s) * 1e6, 2) if other_s else None,
    )
    return result


def measure_many(
    benchmark: BenchmarkFixture,
    measured: Path,
    others: list[Path],
    *,
    rounds: int,
    block: int = 1,
) -> tuple[Any, dict[str, list[float]]]:
    """Like ``measure`` with several other paths. Each round runs every path for ``block``
    calls in a row (the others in the round's untimed setup, their order rotating from round
    to round; ``measured`` in the timed call), so the paths take turns every few calls and
    see the same load, while each block meets its own connection as a client in a loop
    would. Every call is timed on its own; a path with ``self_timed`` returns its own
    duration (asyncpg, timed inside its event loop). pytest-benchmark's figures are per
    block. Returns the last measured result and the seconds per call of every path by name
    (``measured.name`` included)."""
    for _ in range(WARMUP_CALLS):
        measured.run_once()
        for other in others:
            other.run_once()
    times: dict[str, list[float]] = {path.name: [] for path in [measured, *others]}
    turn = [0]

    def timed(path: Path) -> Any:
        value = path.make_input()
        start = perf_counter()
        returned = path.call(value)
        elapsed = perf_counter() - start
        times[path.name].append(returned if path.self_timed else elapsed)
        return returned

    def setup() -> tuple[tuple[()], dict[str, Any]]:
        turn[0] += 1
        shift = turn[0] % len(others)
        for other in others[shift:] + others[:shift]:
            for _ in range(block):
                timed(other)
        return (), {}

    def measured_block() -> Any:
        result = None
        for _ in range(block):
            result = timed(measured)
        return result

    result = benchmark.pedantic(  # type: ignore[no-untyped-call]  # pytest-benchmark's own
        measured_block, setup=setup, rounds=rounds
    )
    benchmark.extra_info.update(
        path=measured.name, other_paths=[o.name for o in others], calls_per_block=block
    )
    return result, times
