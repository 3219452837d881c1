"""What the code declares about its queries, read as data: no Python source is parsed.

A repository class declares ``namespace`` (its sql/ file), ``queries`` (each query it runs ->
the model its rows map to, None for ``$`` and ``!``), ``constraint_messages`` and
``constraint_errors`` (keyed by constraint name) and ``idempotent`` (write queries safe to run
twice). ``shopdb.components.REPOSITORIES`` lists the classes; the tools' queries are in
``shopdb.check.tools.TOOL_QUERIES``.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from shopdb.check.tools import TOOL_QUERIES, ToolQueries

QueryKey = tuple[str, str]  # (namespace, query name): ("users", "get")


@dataclass(frozen=True, slots=True)
class QueryUse:
    """Who runs a query and which model its rows map to (None: none is declared)."""

    owner: str
    model: type[BaseModel] | None
    tool: bool = False


@dataclass(frozen=True, slots=True)
class Declarations:
    """Every declared use of a query, constraint name and idempotent write."""

    uses: Mapping[QueryKey, QueryUse] = field(default_factory=dict)
    constraints: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # name -> owners
    idempotent: Mapping[QueryKey, str] = field(default_factory=dict)  # -> owner
    unknown_planned: Mapping[QueryKey, str] = field(default_factory=dict)
    """planned_per_call names that are not among their class's queries -> owner."""


def repository_classes() -> tuple[type[Any], ...]:
    """``shopdb.components.REPOSITORIES``: every repository class of the package."""
    module = importlib.import_module("shopdb.components")
    classes: tuple[type[Any], ...] = tuple(getattr(module, "REPOSITORIES", ()))
    return classes


def collect(repositories: Iterable[type[Any]], tools: ToolQueries = TOOL_QUERIES) -> Declarations:
    """The declarations of ``repositories`` (classes, not instances) and of the tools."""
    uses: dict[QueryKey, QueryUse] = {}
    constraints: dict[str, list[str]] = {}
    idempotent: dict[QueryKey, str] = {}
    unknown_planned: dict[QueryKey, str] = {}
    for namespace, queries in tools.items():
        for name, model in queries.items():
            uses[(namespace, name)] = QueryUse("shopdb.check.tools.TOOL_QUERIES", model, tool=True)
    for cls in repositories:
        space: str = cls.namespace
        owner = cls.__qualname__
        declared: Mapping[str, type[BaseModel] | None] = getattr(cls, "queries", {})
        for name, model in declared.items():
            uses[(space, name)] = QueryUse(f"{owner}.queries", model)
        for attribute in ("constraint_messages", "constraint_errors"):
            for constraint in getattr(cls, attribute, {}):
                constraints.setdefault(constraint, []).append(f"{owner}.{attribute}")
        for name in getattr(cls, "idempotent", frozenset()):
            idempotent[(space, name)] = f"{owner}.idempotent"
        for name in getattr(cls, "planned_per_call", frozenset()):
            if name not in declared:
                unknown_planned[(space, name)] = f"{owner}.planned_per_call"
    constraint_owners = {k: tuple(v) for k, v in constraints.items()}
    return Declarations(uses, constraint_owners, idempotent, unknown_planned)
