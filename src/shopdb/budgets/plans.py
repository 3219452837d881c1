"""The plan assertions of `shopdb budgets`: each budgeted query explained (EXPLAIN ANALYZE,
JSON, in a rolled-back transaction) with the data set's sample values; its plan must use
every index its budget names and read no more rows than it allows. The time is reported, and
held to the budget only at the budget's own data set size (`--timings`: the median of
TIMED_RUNS executions, server-side: no network, no Python; benchmarks/test_scale.py measures
the calls end to end)."""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg

from shopdb.budgets.model import Budget, budgeted_queries
from shopdb.check.explain import explain_json
from shopdb.core.queries import Query

# With --timings, each query is explained this many times; its time is the median (the first
# run may read cold pages from disk).
TIMED_RUNS = 7


@dataclass(frozen=True, slots=True)
class Verdict:
    """One budgeted query on this data set: what its plan did, and what broke the budget."""

    budget: Budget
    indexes: tuple[str, ...]
    rows_read: int
    execution_ms: float
    problems: tuple[str, ...]


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", ()):
        yield from _nodes(child)


def rows_read(plan: dict[str, Any]) -> int:
    """The rows the plan's scans read: returned plus removed by a filter or a recheck, times
    their loops."""
    total = 0.0
    for node in _nodes(plan):
        if "Relation Name" not in node and "Index Name" not in node:
            continue
        read = node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)
        read += node.get("Rows Removed by Index Recheck", 0)
        if node["Node Type"] == "Bitmap Index Scan":
            continue  # its rows are read again by the Bitmap Heap Scan above it
        total += read * node.get("Actual Loops", 1)
    return round(total)


def indexes_used(plan: dict[str, Any]) -> tuple[str, ...]:
    """The indexes the plan scans, in plan order."""
    return tuple(node["Index Name"] for node in _nodes(plan) if "Index Name" in node)


def judge(
    conn: psycopg.Connection[Any],
    query: Query,
    budget: Budget,
    values: dict[str, Any],
    *,
    timings: bool,
) -> Verdict:
    """Explain ``query`` with the sample ``values`` its parameters name and judge the plan."""
    params = {name: values[name] for name in query.parameters}
    runs = [explain_json(conn, query, params) for _ in range(TIMED_RUNS if timings else 1)]
    plan = runs[-1]["Plan"]
    used, read = indexes_used(plan), rows_read(plan)
    ms = statistics.median(float(run.get("Execution Time", 0.0)) for run in runs)
    problems = [f"its plan does not use {name}" for name in budget.indexes if name not in used]
    if read > budget.rows:
        problems.append(f"its plan reads {read} rows, over its budget of {budget.rows}")
    if timings and ms > budget.ms:
        problems.append(f"it took {ms:.3f} ms, over its budget of {budget.ms:g} ms")
    return Verdict(budget, used, read, ms, tuple(problems))


def judge_all(
    conn: psycopg.Connection[Any], values: dict[str, Any], *, timings: bool
) -> list[Verdict]:
    """A verdict for every budgeted query of sql/*.sql."""
    return [judge(conn, q, b, values, timings=timings) for q, b in budgeted_queries()]
