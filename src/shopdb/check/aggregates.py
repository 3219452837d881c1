"""The rules of locks and aggregates: each repository writes and row-locks only the tables it
lists in ``tables``, each table is listed by one repository, a lock statement is declared
in ``locks`` (and only a lock is), and each table is locked with one strength everywhere.

Why: a table locked FOR UPDATE by one path and FOR NO KEY UPDATE by another deadlocks or
blocks more than either alone (the weaker one does not conflict with itself; the stronger
also blocks the foreign-key checks of every insert that references the row), and a table
written from two repositories has no one place where its invariants and lock order live.
"""

from __future__ import annotations

from collections.abc import Mapping

from shopdb.check.catalog import Catalog
from shopdb.check.declarations import Declarations, QueryUse
from shopdb.check.effects import Effects, query_effects
from shopdb.check.loading import Namespaces
from shopdb.check.problems import Problem

_ROW_LOCKS = "FOR UPDATE, FOR NO KEY UPDATE, FOR SHARE or FOR KEY SHARE"


def aggregate_problems(
    catalog: Catalog, namespaces: Namespaces, declared: Declarations
) -> list[Problem]:
    """Every problem of the ``locks`` and ``tables`` declarations against the statements."""
    owners = table_owners(declared.tables)
    problems = _table_problems(catalog, declared.tables, owners)
    strengths: dict[str, dict[str, list[str]]] = {}  # table -> strength -> statements
    for (namespace, name), use in sorted(declared.uses.items()):
        query = namespaces.get(namespace, {}).get(name)
        effects = None if use.tool or query is None else query_effects(query)
        if effects is None:
            continue
        problems += [Problem(use.owner, name, text) for text in _lock_problems(use, effects)]
        if use.repository is None:
            continue  # a tool repository (the seeds) writes every table by design
        own = declared.tables.get(use.repository, ())
        problems += [
            Problem(use.owner, name, text)
            for text in _foreign_problems(use.repository, own, owners, effects)
        ]
        if not effects.writes:
            for lock in effects.row_locks:
                by = strengths.setdefault(lock.table, {}).setdefault(lock.strength, [])
                by.append(f"{use.owner} {name}")
    for table, used in sorted(strengths.items()):
        if len(used) > 1:
            each = "; ".join(f"{s} by {', '.join(by)}" for s, by in sorted(used.items()))
            problems.append(
                Problem(
                    f"table {table}",
                    "-",
                    f"is locked with {len(used)} strengths ({each}): take one lock strength "
                    "per table",
                )
            )
    return problems


def table_owners(tables: Mapping[str, tuple[str, ...]]) -> dict[str, list[str]]:
    """Table -> the repository classes that list it in ``tables``."""
    owners: dict[str, list[str]] = {}
    for cls, listed in tables.items():
        for table in listed:
            owners.setdefault(table, []).append(cls)
    return owners


def _table_problems(
    catalog: Catalog, tables: Mapping[str, tuple[str, ...]], owners: Mapping[str, list[str]]
) -> list[Problem]:
    found: list[Problem] = []
    for cls, listed in sorted(tables.items()):
        for table in listed:
            others = [other for other in owners[table] if other != cls]
            if others:
                found.append(
                    Problem(
                        f"{cls}.tables",
                        "-",
                        f"{table} is also in {', '.join(f'{o}.tables' for o in others)}: "
                        "each table belongs to one repository",
                    )
                )
            if catalog.relation(_quoted(table)) is None:
                found.append(
                    Problem(f"{cls}.tables", "-", f"{table} is not a table of the migrated schema")
                )
    return found


def _lock_problems(use: QueryUse, effects: Effects) -> list[str]:
    cls = use.owner.rpartition(".")[0]
    if not use.lock and effects.is_lock:
        taken = "a row-locking clause" if effects.locking else "pg_advisory_xact_lock"
        return [
            f"takes a lock ({taken}) and writes nothing: declare it in {cls}.locks, not "
            "queries, and run it with _lock or _lock_each (inside a transaction only)"
        ]
    if use.lock and effects.writes:
        return [
            f"is not a lock: it writes {', '.join(sorted(effects.writes))}; declare it in "
            f"{cls}.queries"
        ]
    if use.lock and not effects.locking and not effects.advisory:
        return [
            f"is not a lock: it has no row-locking clause ({_ROW_LOCKS}) and calls no "
            f"pg_advisory_xact_lock; declare it in {cls}.queries"
        ]
    return []


def _foreign_problems(
    cls: str, own: tuple[str, ...], owners: Mapping[str, list[str]], effects: Effects
) -> list[str]:
    rule = (
        f"a repository writes and locks only the tables of its aggregate ({cls}.tables: "
        f"{', '.join(own) or 'none declared'})"
    )
    found = [
        f"writes {table}, {_owned(table, owners)}; {rule}"
        for table in sorted(effects.writes - set(own))
    ]
    found += [
        f"locks {lock.table} {lock.strength}, {_owned(lock.table, owners)}; {rule}"
        for lock in sorted(effects.row_locks)
        if lock.table not in own
    ]
    return found


def _owned(table: str, owners: Mapping[str, list[str]]) -> str:
    listed = owners.get(table)
    if not listed:
        return "a table no repository lists in its tables"
    return f"a table of {' and '.join(listed)} (in its tables)"


def _quoted(table: str) -> str:
    return ".".join(f'"{part}"' for part in table.split("."))
