"""The query blocks of a parsed statement: what each FROM item is, and which side of an outer
join it sits on. Used by ``nullability`` to follow a column back to where it comes from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pglast import ast
from pglast.enums import GroupingSetKind, JoinType, SetOperation

from shopdb.check.catalog import Catalog

_LEFT_NULLABLE = {JoinType.JOIN_RIGHT, JoinType.JOIN_FULL}
_RIGHT_NULLABLE = {JoinType.JOIN_LEFT, JoinType.JOIN_FULL}
_GROUPING_SETS = {
    GroupingSetKind.GROUPING_SET_ROLLUP,
    GroupingSetKind.GROUPING_SET_CUBE,
    GroupingSetKind.GROUPING_SET_SETS,
}
DML = (ast.InsertStmt, ast.UpdateStmt, ast.DeleteStmt, ast.MergeStmt)


@dataclass(frozen=True, slots=True)
class Source:
    """One FROM item: a table or view (``relation``), a subquery or CTE (``block``), or a
    function or anything else whose columns are unknown (neither). ``nullable``: it is on the
    nullable side of a LEFT, RIGHT or FULL join, so each of its columns can be NULL."""

    name: str
    nullable: bool
    relation: int | None = None
    block: Any = None
    colnames: tuple[str, ...] | None = None
    ctes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Block:
    """One query block: its output ``targets`` (name, expression), None when they cannot be
    listed (VALUES, an unknown ``*``); its FROM ``sources``; set operations keep their two
    branches in ``branches``."""

    targets: tuple[tuple[str, Any], ...] | None
    sources: tuple[Source, ...] = ()
    ctes: Mapping[str, Any] = field(default_factory=dict)
    grouping_sets: bool = False
    branches: tuple[Any, Any] | None = None


def is_node(node: Any, *classes: type[Any]) -> bool:
    """isinstance without narrowing: pglast's stubs make every attribute Optional, and the
    analysis reads nodes the parser fills in."""
    return isinstance(node, classes)


def sval(node: Any) -> str | None:
    """The text of a pglast String node, else None."""
    return node.sval if is_node(node, ast.String) else None


class Blocks:
    """Builds the Block of a statement, resolving table names through ``catalog``."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def block(self, stmt: Any, ctes: Mapping[str, Any] | None = None) -> Block:
        """The block ``stmt`` (a SELECT, or a DML statement's RETURNING) produces."""
        scope = dict(ctes or {})
        with_clause = getattr(stmt, "withClause", None)
        for cte in getattr(with_clause, "ctes", None) or ():
            scope[cte.ctename] = cte.ctequery
        if is_node(stmt, ast.SelectStmt):
            return self._select(stmt, scope)
        if is_node(stmt, ast.InsertStmt, ast.UpdateStmt, ast.DeleteStmt):
            return self._returning(stmt, scope)
        return Block(None)

    def _select(self, stmt: Any, scope: dict[str, Any]) -> Block:
        if stmt.op != SetOperation.SETOP_NONE:
            return Block(None, ctes=scope, branches=(stmt.larg, stmt.rarg))
        if stmt.valuesLists:
            return Block(None, ctes=scope)
        sources = tuple(self._sources(stmt.fromClause or (), scope, nullable=False))
        grouping = any(
            is_node(item, ast.GroupingSet) and item.kind in _GROUPING_SETS
            for item in stmt.groupClause or ()
        )
        targets = self._targets(stmt.targetList or (), sources)
        return Block(targets, sources, scope, grouping)

    def _returning(self, stmt: Any, scope: dict[str, Any]) -> Block:
        relation = stmt.relation
        target = Source(
            relation.alias.aliasname if relation.alias else relation.relname,
            nullable=False,
            relation=self.catalog.relation(_qualified(relation)),
        )
        extra = getattr(stmt, "fromClause", None) or getattr(stmt, "usingClause", None) or ()
        sources = (target, *self._sources(extra, scope, nullable=False))
        clause = getattr(stmt, "returningClause", None)
        items = clause.exprs if clause is not None else getattr(stmt, "returningList", None)
        return Block(self._targets(items or (), sources), sources, scope)

    def _sources(self, items: Any, scope: Mapping[str, Any], nullable: bool) -> list[Source]:
        found: list[Source] = []
        for item in items:
            if is_node(item, ast.JoinExpr):
                left = nullable or item.jointype in _LEFT_NULLABLE
                right = nullable or item.jointype in _RIGHT_NULLABLE
                found += self._sources((item.larg,), scope, left)
                found += self._sources((item.rarg,), scope, right)
            elif is_node(item, ast.RangeVar):
                name = item.alias.aliasname if item.alias else item.relname
                colnames = _colnames(item.alias)
                if item.schemaname is None and item.relname in scope:
                    block = scope[item.relname]
                    found.append(Source(name, nullable, None, block, colnames, scope))
                else:
                    oid = self.catalog.relation(_qualified(item))
                    found.append(Source(name, nullable, oid, colnames=colnames))
            elif is_node(item, ast.RangeSubselect) and item.alias is not None:
                colnames = _colnames(item.alias)
                found.append(Source(item.alias.aliasname, nullable, None, item.subquery, colnames))
            else:
                alias = getattr(item, "alias", None)
                found.append(Source(alias.aliasname if alias else "", nullable))
        return found

    def _targets(
        self, items: Any, sources: tuple[Source, ...]
    ) -> tuple[tuple[str, Any], ...] | None:
        targets: list[tuple[str, Any]] = []
        for item in items:
            value = item.val
            if is_node(value, ast.ColumnRef) and is_node(value.fields[-1], ast.A_Star):
                qualifier = sval(value.fields[0]) if len(value.fields) > 1 else None
                expanded = self._expand(sources, qualifier)
                if expanded is None:
                    return None
                targets += expanded
            else:
                targets.append((item.name or colname(value), value))
        return tuple(targets)

    def _expand(
        self, sources: tuple[Source, ...], qualifier: str | None
    ) -> list[tuple[str, Any]] | None:
        """``*`` or ``q.*`` as one qualified ColumnRef per column, None when a column list
        is unknown."""
        expanded: list[tuple[str, Any]] = []
        for source in sources:
            if qualifier is not None and source.name != qualifier:
                continue
            names = self.output_names(source)
            if names is None:
                return None
            refs = (
                ast.ColumnRef(fields=(ast.String(sval=source.name), ast.String(sval=n)))
                for n in names
            )
            expanded += zip(names, refs, strict=True)
        return expanded

    def output_names(self, source: Source) -> list[str] | None:
        """The column names ``source`` gives, in order, or None when they are unknown."""
        if source.colnames is not None:
            return list(source.colnames)
        if source.relation is not None:
            return [column.name for column in self.catalog.columns(source.relation)]
        if source.block is not None:
            block = self.block(source.block, source.ctes)
            while block.branches is not None:
                block = self.block(block.branches[0], block.ctes)
            return None if block.targets is None else [name for name, _ in block.targets]
        return None


def colname(node: Any) -> str:
    """The name PostgreSQL gives an unnamed output column (FigureColname, the common cases)."""
    if is_node(node, ast.ColumnRef):
        return sval(node.fields[-1]) or "?column?"
    if is_node(node, ast.FuncCall):
        return sval(node.funcname[-1]) or "?column?"
    if is_node(node, ast.TypeCast):
        inner = colname(node.arg)
        return inner if inner != "?column?" else sval(node.typeName.names[-1]) or inner
    if is_node(node, ast.CoalesceExpr):
        return "coalesce"
    if is_node(node, ast.CaseExpr):
        return "case"
    return "?column?"


def _colnames(alias: Any) -> tuple[str, ...] | None:
    names = getattr(alias, "colnames", None)
    return tuple(sval(n) or "" for n in names) if names else None


def _qualified(relation: Any) -> str:
    if relation.schemaname:
        return f'"{relation.schemaname}"."{relation.relname}"'
    return f'"{relation.relname}"'


def walk(node: Any) -> Any:
    """Every pglast node in ``node``, depth first, ``node`` included."""
    if is_node(node, ast.Node):
        yield node
        for name in node.__slots__:
            yield from walk(getattr(node, name))
    elif isinstance(node, list | tuple):
        for item in node:
            yield from walk(item)
