"""What the code declares about its queries, read as data: no Python source is parsed.

A repository class declares ``namespace`` (its sql/ file), ``queries`` (each query it runs ->
the model its rows map to, None for ``$`` and ``!``), ``locks`` (its lock statements, the
same way), ``tables`` (the tables of its aggregate), ``constraint_messages`` and
``constraint_errors`` (keyed by constraint name), ``idempotent`` (write queries safe to run
twice) and ``planned_per_call``. ``shopdb.components.REPOSITORIES`` lists the classes; the
tools' queries are in ``shopdb.check.tools.TOOL_QUERIES`` and the tools' own repositories
(the seeds' bulk loader, over sql/tools/) in ``shopdb.check.tools.TOOL_REPOSITORIES``.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from shopdb.check.tools import TOOL_QUERIES, TOOL_REPOSITORIES, ToolQueries

QueryKey = tuple[str, str]  # (namespace, query name): ("users", "get")


@dataclass(frozen=True, slots=True)
class QueryUse:
    """Who runs a query and which model its rows map to (None: none is declared).

    ``lock``: declared in the class's ``locks``. ``repository``: the class whose aggregate
    the statement belongs to, held to its ``tables``; None for a tool's query and for a tool
    repository (the seeds write every table on purpose). A customer repository (one that
    declares ``aggregate``) is held to its aggregate's class. ``owner_parameter``: the
    parameter (its class's ``owner``) every query of a customer repository must take."""

    owner: str
    model: type[BaseModel] | None
    tool: bool = False
    lock: bool = False
    repository: str | None = None
    owner_parameter: str | None = None


@dataclass(frozen=True, slots=True)
class Declarations:
    """Every declared use of a query, constraint name, table and idempotent write."""

    uses: Mapping[QueryKey, QueryUse] = field(default_factory=dict)
    constraints: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # name -> owners
    idempotent: Mapping[QueryKey, str] = field(default_factory=dict)  # -> owner
    unknown_planned: Mapping[QueryKey, str] = field(default_factory=dict)
    """planned_per_call names that are not among their class's queries or locks -> owner."""
    constraint_classes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Constraint name -> the repository classes that name it (more than one: ambiguous)."""
    tables: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Repository class -> the tables of its aggregate (tool repositories are not listed)."""
    both: Mapping[QueryKey, str] = field(default_factory=dict)
    """Names declared in both ``queries`` and ``locks`` -> the class."""
    replica_reads: Mapping[QueryKey, str] = field(default_factory=dict)
    """Names declared in ``replica_reads`` -> the owner."""
    replica_undeclared: Mapping[QueryKey, str] = field(default_factory=dict)
    """``replica_reads`` names that are not among their class's ``queries`` -> the owner."""
    caching: Mapping[str, Caching] = field(default_factory=dict)
    """Repository class -> what it declares about the cache (only classes that do)."""


@dataclass(frozen=True, slots=True)
class Caching:
    """A class's ``cached_reads``, ``invalidations`` and ``leaves_cached`` ((write query,
    cached read) -> why the write changes nothing the read returns), with its namespace."""

    namespace: str
    reads: Mapping[str, Any]
    bumps: tuple[Any, ...]
    leaves_cached: Mapping[tuple[str, str], str]


def repository_classes() -> tuple[type[Any], ...]:
    """``shopdb.components.REPOSITORIES`` and ``shopdb.customers.CUSTOMER_REPOSITORIES``:
    every repository class of the package."""
    module = importlib.import_module("shopdb.components")
    customers = importlib.import_module("shopdb.customers")
    classes: tuple[type[Any], ...] = (
        *getattr(module, "REPOSITORIES", ()),
        *getattr(customers, "CUSTOMER_REPOSITORIES", ()),
    )
    return classes


def tool_repository_classes() -> tuple[type[Any], ...]:
    """The classes ``TOOL_REPOSITORIES`` names (``module:Class``)."""
    found: list[type[Any]] = []
    for path in TOOL_REPOSITORIES:
        module, _, name = path.partition(":")
        found.append(getattr(importlib.import_module(module), name))
    return tuple(found)


def package_declarations() -> Declarations:
    """What shopdb itself declares: its repositories, its tools' queries and repositories."""
    return collect(repository_classes(), TOOL_QUERIES, tool_repository_classes())


def collect(
    repositories: Iterable[type[Any]],
    tools: ToolQueries = TOOL_QUERIES,
    tool_repositories: Iterable[type[Any]] = (),
) -> Declarations:
    """The declarations of ``repositories`` (classes, not instances), of the tools' queries
    and of ``tool_repositories`` (checked as repositories, but held to no aggregate)."""
    uses: dict[QueryKey, QueryUse] = {}
    constraints: dict[str, list[str]] = {}
    classes: dict[str, list[str]] = {}
    idempotent: dict[QueryKey, str] = {}
    unknown_planned: dict[QueryKey, str] = {}
    tables: dict[str, tuple[str, ...]] = {}
    both: dict[QueryKey, str] = {}
    replica_reads: dict[QueryKey, str] = {}
    replica_undeclared: dict[QueryKey, str] = {}
    caching: dict[str, Caching] = {}
    for namespace, queries in tools.items():
        for name, model in queries.items():
            uses[(namespace, name)] = QueryUse("shopdb.check.tools.TOOL_QUERIES", model, tool=True)
    aggregates = [(cls, True) for cls in repositories]
    for cls, aggregate in [*aggregates, *((cls, False) for cls in tool_repositories)]:
        space: str = cls.namespace
        owner = cls.__qualname__
        declared: Mapping[str, type[BaseModel] | None] = getattr(cls, "queries", {})
        locks: Mapping[str, type[BaseModel] | None] = getattr(cls, "locks", {})
        viewed = getattr(cls, "aggregate", None)  # a customer repository: its aggregate's
        repository = (owner if viewed is None else viewed.__qualname__) if aggregate else None
        if aggregate and viewed is None:
            tables[owner] = tuple(getattr(cls, "tables", ()))
        bound = getattr(cls, "owner", None)
        bound = bound if isinstance(bound, str) else None
        for attribute, named in (("queries", declared), ("locks", locks)):
            for name, model in named.items():
                lock = attribute == "locks"
                uses[(space, name)] = QueryUse(
                    f"{owner}.{attribute}", model, False, lock, repository, bound
                )
        for name in sorted(set(declared) & set(locks)):
            both[(space, name)] = owner
        for attribute in ("constraint_messages", "constraint_errors"):
            for constraint in getattr(cls, attribute, {}):
                constraints.setdefault(constraint, []).append(f"{owner}.{attribute}")
                if owner not in classes.setdefault(constraint, []):
                    classes[constraint].append(owner)
        for name in getattr(cls, "idempotent", frozenset()):
            idempotent[(space, name)] = f"{owner}.idempotent"
        for name in getattr(cls, "replica_reads", frozenset()):
            replica_reads[(space, name)] = f"{owner}.replica_reads"
            if name not in declared:
                replica_undeclared[(space, name)] = f"{owner}.replica_reads"
        reads, bumps = getattr(cls, "cached_reads", {}), tuple(getattr(cls, "invalidations", ()))
        leaves = getattr(cls, "leaves_cached", {})
        if reads or bumps or leaves:
            caching[owner] = Caching(space, reads, bumps, leaves)
        for name in getattr(cls, "planned_per_call", frozenset()):
            if name not in declared and name not in locks:
                unknown_planned[(space, name)] = f"{owner}.planned_per_call"
    return Declarations(
        uses,
        {k: tuple(v) for k, v in constraints.items()},
        idempotent,
        unknown_planned,
        {k: tuple(v) for k, v in classes.items()},
        tables,
        both,
        replica_reads,
        replica_undeclared,
        caching,
    )
