"""The rules of the cache's class data (``cached_reads``, ``invalidations``,
``leaves_cached``: (write, cached read) -> why that write changes nothing the read returns;
shopdb.cache.spec): a cached read fills with reads of its own namespace
only (never a write or a lock: a fill runs once for many callers, and a hit runs nothing);
a Bump names a write and takes its tag from a parameter or a returned column; each scope of
a cached read is bumped by some write; and every write of a repository to a table that a
cached read reads bumps one of that read's tags, or says in ``leaves_cached`` why it needs
not (otherwise the cache would serve what that write changed until the hard TTL).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pglast import ast, parse_sql

from shopdb.cache.spec import GLOBAL
from shopdb.check.declarations import Caching, Declarations
from shopdb.check.effects import query_effects
from shopdb.check.loading import Namespaces
from shopdb.check.problems import Problem
from shopdb.check.sources import is_node, walk
from shopdb.core.placeholders import number_placeholders
from shopdb.core.queries import Query

_NEVER_BUMPED = (
    "its scope {scope} is bumped by no write (Bump): its entries would outlive every change "
    "until the hard TTL"
)
_UNBUMPED = (
    "writes {table}, which the cached read {owner}.{read} reads, and bumps none of its tags: "
    "add a Bump to an invalidations, or say why in leaves_cached {pair!r}"
)


def cache_problems(namespaces: Namespaces, declared: Declarations) -> list[Problem]:
    """Every problem of the classes' cache declarations against the statements."""
    problems: list[Problem] = []
    bumped: dict[str, set[str]] = {}  # write query -> scopes it bumps
    for owner, caching in sorted(declared.caching.items()):
        for bump in caching.bumps:
            where = f"{owner}.invalidations"
            problems += [
                Problem(where, bump.query, p) for p in _bump_problems(bump, namespaces, declared)
            ]
            bumped.setdefault(bump.query, set()).add(bump.scope)
    scopes = {scope for found in bumped.values() for scope in found}
    reading: dict[str, list[tuple[str, str, frozenset[str]]]] = {}  # table -> (owner, read, scopes)
    for owner, caching in sorted(declared.caching.items()):
        for read, spec in caching.reads.items():
            where = f"{owner}.cached_reads"
            tables, found = _read_problems(caching, spec, namespaces, declared)
            problems += [Problem(where, read, p) for p in found]
            for scope in spec.scopes:
                if scope not in scopes:
                    problems.append(Problem(where, read, _NEVER_BUMPED.format(scope=scope)))
            for table in tables:
                reading.setdefault(table, []).append((owner, read, frozenset(spec.scopes)))
    problems += _unbumped_writes(namespaces, declared, bumped, reading)
    return problems


def _bump_problems(bump: Any, namespaces: Namespaces, declared: Declarations) -> list[str]:
    namespace, _, name = bump.query.partition(".")
    query = namespaces.get(namespace, {}).get(name)
    if query is None:
        return [f"names no query of {namespace}.sql"]
    use = declared.uses.get((namespace, name))
    if query.is_read and not (use is not None and use.lock):
        return ["is a read: only a write (or the lock a write takes first) invalidates"]
    if bump.field is None or bump.field in query.parameters:
        return []
    model = use.model if use is not None else None
    if model is not None and bump.field in model.model_fields:
        return []
    return [f"takes its tag from {bump.field}, neither a parameter nor a column of its rows"]


def _read_problems(
    caching: Caching, spec: Any, namespaces: Namespaces, declared: Declarations
) -> tuple[set[str], list[str]]:
    tables: set[str] = set()
    found: list[str] = []
    for name in spec.queries:
        query = namespaces.get(caching.namespace, {}).get(name)
        use = declared.uses.get((caching.namespace, name))
        if query is None:
            found.append(f"fills with {name}, which {caching.namespace}.sql does not have")
            continue
        effects = query_effects(query)
        if not query.is_read or (use is not None and use.lock) or (effects and effects.writes):
            found.append(f"fills with {name}, which is no read: a cached query must be a read")
            continue
        tables |= tables_read(query)
    return tables, found


def tables_read(query: Query) -> set[str]:
    """The tables (and views) a statement names in FROM and JOIN, CTE names aside."""
    try:
        tree = parse_sql(number_placeholders(query.sql).sql)
    except Exception:  # refused statements are reported by the engine
        return set()
    nodes = [node for stmt in tree for node in walk(stmt.stmt)]
    ctes = {node.ctename for node in nodes if is_node(node, ast.CommonTableExpr)}
    return {
        node.relname for node in nodes if is_node(node, ast.RangeVar) and node.relname not in ctes
    }


def _unbumped_writes(
    namespaces: Namespaces,
    declared: Declarations,
    bumped: Mapping[str, set[str]],
    reading: Mapping[str, list[tuple[str, str, frozenset[str]]]],
) -> list[Problem]:
    leaves: set[tuple[str, str]] = {p for c in declared.caching.values() for p in c.leaves_cached}
    problems: list[Problem] = []
    for (namespace, name), use in sorted(declared.uses.items()):
        query = namespaces.get(namespace, {}).get(name)
        if use.tool or use.repository is None or query is None or query.is_read:
            continue
        full = f"{namespace}.{name}"
        effects = query_effects(query)
        if effects is None:
            continue
        scopes = bumped.get(full, set())
        for table in sorted(effects.writes):
            for owner, read, read_scopes in reading.get(table, []):
                cached = f"{declared.caching[owner].namespace}.{read}"
                if GLOBAL in scopes or scopes & read_scopes or (full, cached) in leaves:
                    continue
                text = _UNBUMPED.format(table=table, owner=owner, read=read, pair=(full, cached))
                problems.append(Problem(use.owner, name, text))
    return problems
