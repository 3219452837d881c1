"""A budget, parsed from its ``-- budget:`` line, and the names it may use."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from shopdb.core.errors import ShopDBError
from shopdb.core.queries import Query, load_queries

# The data set sizes a budget's time may be stated at: name -> what it holds.
DATASETS: Mapping[str, str] = {
    "10M users": (
        "benchmarks/scale_data.py: 10M users, one session each, 10M orders (one item each), "
        "spread over the users"
    ),
}

# How many users each data set holds: `shopdb budgets --timings` says when it times fewer.
DATASET_USERS: Mapping[str, int] = {"10M users": 10_000_000}

# The tables that grow with the shop: every read of one carries a budget, except the reads
# recorded in UNBUDGETED when the rule came in (each should get one; none may be added).
HOT_TABLES = frozenset({"users", "user_sessions", "orders"})

_LINE = re.compile(
    r"^(?P<ms>\d+(?:\.\d+)?) ms at (?P<dataset>[^;]+?);\s*"
    r"index (?P<indexes>[a-z_][a-z0-9_]*(?:,\s*[a-z_][a-z0-9_]*)*);\s*"
    r"rows (?P<rows>\d+)$"
)


class BudgetError(ShopDBError):
    """A ``-- budget:`` line that does not read as one, or a plan over its budget."""


@dataclass(frozen=True, slots=True)
class Budget:
    """What one query may cost: ``ms`` at ``dataset``, using every one of ``indexes``,
    reading at most ``rows`` rows (summed over the plan's scans, loops included)."""

    query: str
    ms: float
    dataset: str
    indexes: tuple[str, ...]
    rows: int


def parse_budget(query: str, text: str) -> Budget:
    """The budget of ``query`` written as ``text``; BudgetError naming what is wrong."""
    found = _LINE.match(text.strip())
    if found is None:
        raise BudgetError(
            f"{query}: budget {text!r} does not read as "
            "'<ms> ms at <data set>; index <name>[, <name>]; rows <n>'"
        )
    dataset = found["dataset"].strip()
    if dataset not in DATASETS:
        raise BudgetError(f"{query}: no data set named {dataset!r} (known: {', '.join(DATASETS)})")
    indexes = tuple(name.strip() for name in found["indexes"].split(","))
    return Budget(query, float(found["ms"]), dataset, indexes, int(found["rows"]))


def budgeted_queries() -> Iterator[tuple[Query, Budget]]:
    """Every query of sql/*.sql that carries a budget, with it, in name order."""
    for namespace in sorted(load_queries()):
        for query in sorted(load_queries()[namespace].values(), key=lambda q: q.name):
            if query.budget is not None:
                yield query, parse_budget(query.name, query.budget)
