"""The query report that ends the demo: every query the timer recorded, p50/p95 per query
name, the slow ones, and the steps that ran one query many times (an N+1)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from shopdb.core.timer import QueryRecord

N_PLUS_ONE_AT = 3
"""One step running the same named query this many times is reported as an N+1: the story's
steps each do one thing for one shopper, so a query run once per row of a result shows up as
a count that grows with the rows (the demo's cart has 2 lines, its order 2 items)."""


@dataclass(frozen=True, slots=True)
class StepQueries:
    """The queries one step of the story ran, in order."""

    title: str
    records: Sequence[QueryRecord]

    @property
    def total_ms(self) -> float:
        """How long its queries took, together."""
        return math.fsum(r.duration_s for r in self.records) * 1000


@dataclass(frozen=True, slots=True)
class QueryFigures:
    """What one named query cost over the whole run."""

    name: str
    calls: int
    rows: int
    total_ms: float
    p50_ms: float
    p95_ms: float
    max_ms: float
    slow: int


@dataclass(frozen=True, slots=True)
class Repeat:
    """A query that one step ran ``times`` times."""

    step: str
    query: str
    times: int


def percentile(values: Sequence[float], fraction: float) -> float:
    """The ``fraction`` (0-1) percentile of ``values``, interpolated between the two nearest
    ranks (numpy's default); the value itself when there is one."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def figures(records: Iterable[QueryRecord], slow_query_ms: int) -> list[QueryFigures]:
    """Per query name: calls, rows, total, p50, p95 and max in ms, and how many went over the
    slow threshold (as the timer flags them: longer than it); the most time taken first."""
    durations: dict[str, list[float]] = defaultdict(list)
    rows: Counter[str] = Counter()
    for record in records:
        durations[record.name].append(record.duration_s * 1000)
        rows[record.name] += record.rows or 0
    found = [
        QueryFigures(
            name=name,
            calls=len(ms),
            rows=rows[name],
            total_ms=math.fsum(ms),
            p50_ms=percentile(ms, 0.50),
            p95_ms=percentile(ms, 0.95),
            max_ms=max(ms),
            slow=sum(1 for value in ms if value > slow_query_ms),
        )
        for name, ms in durations.items()
    ]
    return sorted(found, key=lambda f: (-f.total_ms, f.name))


def repeats(steps: Iterable[StepQueries]) -> list[Repeat]:
    """For every step, the query it ran most often (ties: by name), most repeated first."""
    found = []
    for step in steps:
        counts = Counter(record.name for record in step.records)
        if counts:
            query, times = min(counts.items(), key=lambda item: (-item[1], item[0]))
            found.append(Repeat(step.title, query, times))
    return sorted(found, key=lambda r: -r.times)


def n_plus_one(steps: Iterable[StepQueries]) -> list[Repeat]:
    """Every (step, query) pair where the step ran the query N_PLUS_ONE_AT times or more."""
    return [
        Repeat(step.title, query, times)
        for step in steps
        for query, times in sorted(Counter(r.name for r in step.records).items())
        if times >= N_PLUS_ONE_AT
    ]
