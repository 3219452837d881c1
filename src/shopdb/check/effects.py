"""What a statement does besides reading: the tables it writes, the row locks it takes (each
table with its lock strength) and whether it takes an advisory lock, read from pglast's tree.

Writes are INSERT, UPDATE, DELETE and MERGE targets wherever they sit (data-modifying CTEs
included) and ``COPY ... FROM``. A locking clause locks the FROM items it names (``FOR UPDATE
OF i``: the alias ``i``), or every FROM item when it names none, as the server does
(``transformLockingClause``): tables, and the tables of a subquery in FROM; CTE references
and functions are skipped, as the server skips them.
"""

from __future__ import annotations

from collections.abc import Iterator, Set
from dataclasses import dataclass
from typing import Any

from pglast import ast, parse_sql
from pglast.enums import LockClauseStrength

from shopdb.check.sources import DML, is_node, sval, walk
from shopdb.core.placeholders import number_placeholders
from shopdb.core.queries import Query

STRENGTHS = {
    LockClauseStrength.LCS_FORKEYSHARE: "FOR KEY SHARE",
    LockClauseStrength.LCS_FORSHARE: "FOR SHARE",
    LockClauseStrength.LCS_FORNOKEYUPDATE: "FOR NO KEY UPDATE",
    LockClauseStrength.LCS_FORUPDATE: "FOR UPDATE",
}
# The advisory locks a lock statement may take: released at the end of the transaction.
# pg_advisory_lock (session level) would outlive it, so it does not count as a lock here.
ADVISORY = frozenset({"pg_advisory_xact_lock", "pg_advisory_xact_lock_shared"})


@dataclass(frozen=True, slots=True, order=True)
class RowLock:
    """One table a locking clause locks, with the clause's strength (``FOR UPDATE``)."""

    table: str
    strength: str


@dataclass(frozen=True, slots=True)
class Effects:
    """What one statement writes and locks."""

    writes: frozenset[str]
    row_locks: frozenset[RowLock]
    locking: bool
    """It has a row-locking clause somewhere (even one that resolves to no table)."""
    advisory: bool
    """It calls pg_advisory_xact_lock (or its _shared form)."""

    @property
    def is_lock(self) -> bool:
        """A lock statement: it writes nothing and takes a row or advisory lock. A write whose
        batch subquery locks (``DELETE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED)``)
        is a write, not a lock."""
        return not self.writes and (self.locking or self.advisory)


def query_effects(query: Query) -> Effects | None:
    """The effects of ``query``, None when the parser refuses it (reported elsewhere)."""
    try:
        tree = parse_sql(number_placeholders(query.sql).sql)
    except Exception:  # pglast's ParseError and friends: the engine reports the refusal
        return None
    return statement_effects(tree[0].stmt) if tree else None


def statement_effects(stmt: Any) -> Effects:
    """The effects of one parsed statement."""
    nodes = list(walk(stmt))
    ctes = {node.ctename for node in nodes if is_node(node, ast.CommonTableExpr)}
    writes = {_table(node.relation) for node in nodes if isinstance(node, DML)}
    writes |= {
        _table(node.relation)
        for node in nodes
        if is_node(node, ast.CopyStmt) and node.is_from and node.relation is not None
    }
    locking = [node for node in nodes if is_node(node, ast.SelectStmt) and node.lockingClause]
    row_locks = {lock for select in locking for lock in _locked(select, ctes)}
    called = {
        (sval(node.funcname[-1]) or "").lower() for node in nodes if is_node(node, ast.FuncCall)
    }
    return Effects(frozenset(writes), frozenset(row_locks), bool(locking), bool(called & ADVISORY))


def _locked(select: Any, ctes: Set[str]) -> Iterator[RowLock]:
    for clause in select.lockingClause:
        strength = STRENGTHS[clause.strength]
        named = {rel.relname for rel in clause.lockedRels or ()}
        for name, tables in _from_items(select.fromClause or (), ctes):
            if not named or name in named:
                yield from (RowLock(table, strength) for table in tables)


def _from_items(items: Any, ctes: Set[str]) -> Iterator[tuple[str, list[str]]]:
    """Each FROM item as (the name a locking clause would use, the tables it locks)."""
    for item in items:
        if is_node(item, ast.JoinExpr):
            if item.alias is not None:
                yield item.alias.aliasname, _tables_of_join(item, ctes)
            yield from _from_items((item.larg, item.rarg), ctes)
        elif is_node(item, ast.RangeVar):
            name = item.alias.aliasname if item.alias else item.relname
            if item.schemaname is not None or item.relname not in ctes:
                yield name, [_table(item)]
        elif is_node(item, ast.RangeSubselect) and item.alias is not None:
            yield item.alias.aliasname, _tables_of_select(item.subquery, ctes)


def _tables_of_join(join: Any, ctes: Set[str]) -> list[str]:
    return [t for _, tables in _from_items((join.larg, join.rarg), ctes) for t in tables]


def _tables_of_select(select: Any, ctes: Set[str]) -> list[str]:
    if not is_node(select, ast.SelectStmt):
        return []
    if select.larg is not None:  # a set operation: the server refuses FOR UPDATE on it
        return []
    return [t for _, tables in _from_items(select.fromClause or (), ctes) for t in tables]


def _table(relation: Any) -> str:
    """A table as ``tables`` names it: ``orders``; schema-qualified outside public."""
    if relation.schemaname in (None, "public"):
        return str(relation.relname)
    return f"{relation.schemaname}.{relation.relname}"
