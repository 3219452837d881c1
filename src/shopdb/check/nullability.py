"""Can a result column be NULL? The rules (docs/query-check.md has them with examples):

- a column read from a table is NOT NULL only when its pg_attribute is NOT NULL and its
  FROM item is not on the nullable side of a LEFT, RIGHT or FULL join (at any depth: a
  subquery or CTE carries the nullability of its own joins out), and not under GROUP BY
  ROLLUP/CUBE/GROUPING SETS; a view's columns are nullable (PostgreSQL records no NOT NULL);
- computed columns are NOT NULL only when that is provable: literals, count(), EXISTS,
  ARRAY(...), IS [NOT] NULL, IS [NOT] DISTINCT FROM, now() and the other never-NULL functions,
  coalesce/greatest/least with one NOT NULL argument, CASE whose branches and ELSE all are,
  strict operators and functions whose arguments all are, and a scalar subquery that always
  gives one row (an aggregate without GROUP BY, or no FROM) of a NOT NULL value. Parameters,
  other scalar subqueries, other aggregates (NULL over no rows), NULLIF and unknown functions
  may be NULL.

Each verdict is True (never NULL), False (may be NULL, with the reason) or None (this
module cannot tell: the engine then falls back to the server's table and column for it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pglast import ast
from pglast.enums import A_Expr_Kind, SetOperation, SQLValueFunctionOp, SubLinkType

from shopdb.check.sources import Block, Blocks, Source, is_node, sval

_NEVER_NULL_FUNCTIONS = {
    "count", "now", "clock_timestamp", "statement_timestamp", "transaction_timestamp",
    "gen_random_uuid", "uuid_generate_v7", "random", "concat", "concat_ws",
    "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile",
    "pg_backend_pid", "version", "current_database", "to_jsonb", "to_json",
}  # fmt: skip
# Strict (NULL in, NULL out) functions that never return NULL for non-NULL arguments.
_STRICT_FUNCTIONS = {
    "lower", "upper", "length", "char_length", "octet_length", "btrim", "trim", "ltrim",
    "rtrim", "abs", "round", "trunc", "floor", "ceil", "ceiling", "date_trunc", "date_part",
    "extract", "make_interval", "to_char", "substr", "substring", "replace", "split_part",
    "left", "right", "md5", "encode", "decode", "lpad", "rpad", "initcap", "age",
    "jsonb_build_object", "jsonb_build_array", "json_build_object", "json_build_array",
}  # fmt: skip
_AGGREGATES = {
    "count", "sum", "min", "max", "avg", "array_agg", "string_agg", "bool_and", "bool_or",
    "every", "jsonb_agg", "json_agg", "jsonb_object_agg", "json_object_agg",
}  # fmt: skip
_NULL_SAFE_OPERATORS = {A_Expr_Kind.AEXPR_DISTINCT, A_Expr_Kind.AEXPR_NOT_DISTINCT}


@dataclass(frozen=True, slots=True)
class Verdict:
    """``never_null``: True, False (``why`` says how it can be NULL) or None (unknown)."""

    never_null: bool | None
    why: str = ""


PROVEN = Verdict(True)
UNKNOWN = Verdict(None, "its source could not be followed")


def all_of(verdicts: Iterable[Verdict]) -> Verdict:
    """NOT NULL when every part is; the first way one can be NULL otherwise."""
    unknown = None
    for verdict in verdicts:
        if verdict.never_null is False:
            return verdict
        if verdict.never_null is None:
            unknown = verdict
    return unknown or PROVEN


def any_of(verdicts: Iterable[Verdict], why: str) -> Verdict:
    """NOT NULL when one part is (coalesce, greatest, least)."""
    seen = list(verdicts)
    if any(v.never_null for v in seen):
        return PROVEN
    if all(v.never_null is False for v in seen):
        return Verdict(False, why)
    return UNKNOWN


class Nullability:
    """The verdicts for one statement's blocks."""

    def __init__(self, blocks: Blocks) -> None:
        self.blocks = blocks
        # A recursive CTE's recursive term reads the CTE itself: while the CTE is being
        # judged, a reference to it from inside gets its non-recursive term's verdicts (the
        # first step of the fixed point; the UNION then combines them with the recursive
        # term's), instead of recursing for ever.
        self._in_progress: dict[int, list[Verdict] | None] = {}

    def outputs(self, stmt: Any) -> list[Verdict] | None:
        """A verdict per output column of ``stmt``, or None when its columns are unknown."""
        return self._outputs(self.blocks.block(stmt))

    def _outputs(self, block: Block) -> list[Verdict] | None:
        if block.branches is not None:
            left = self._outputs(self.blocks.block(block.branches[0], block.ctes))
            right = self._outputs(self.blocks.block(block.branches[1], block.ctes))
            if left is None or right is None or len(left) != len(right):
                return None
            return [all_of(pair) for pair in zip(left, right, strict=True)]
        if block.targets is None:
            return None
        if block.grouping_sets:
            return [Verdict(False, "GROUP BY ROLLUP/CUBE/GROUPING SETS") for _ in block.targets]
        return [self.expression(expr, block) for _, expr in block.targets]

    def source_column(self, source: Source, column: str) -> Verdict:
        """Whether ``column`` of the FROM item ``source`` is never NULL."""
        if source.nullable:
            return Verdict(False, f"{source.name} is on the nullable side of an outer join")
        if source.relation is not None:
            found = self.blocks.catalog.column(source.relation, column)
            if found is None:
                return UNKNOWN
            if found.not_null:
                return PROVEN
            return Verdict(False, f"{source.name}.{column} allows NULL")
        if source.block is None:
            return UNKNOWN
        names = self.blocks.output_names(source)
        verdicts = self._cte_outputs(source)
        if names is None or verdicts is None or column not in names:
            return UNKNOWN
        inner = verdicts[names.index(column)]
        if inner.never_null is False:
            return Verdict(False, f"{source.name}.{column}: {inner.why}")
        return inner

    def _cte_outputs(self, source: Source) -> list[Verdict] | None:
        key = id(source.block)
        if key in self._in_progress:
            return self._in_progress[key]
        block = self.blocks.block(source.block, source.ctes)
        first = None
        if block.branches is not None:
            first = self._outputs(self.blocks.block(block.branches[0], block.ctes))
        self._in_progress[key] = first
        try:
            return self._outputs(block)
        finally:
            del self._in_progress[key]

    def column_ref(self, ref: Any, block: Block) -> Verdict:
        """A column reference, followed to the FROM item it names."""
        names = [sval(part) for part in ref.fields]
        column = names[-1]
        if column is None:
            return UNKNOWN
        if len(names) > 1:
            matches = [s for s in block.sources if s.name == names[-2]]
        else:
            matches = [s for s in block.sources if self._has(s, column)]
            if any(self.blocks.output_names(s) is None for s in block.sources):
                return UNKNOWN  # a function or unknown item might hold the column too
        if len(matches) != 1:
            return UNKNOWN
        return self.source_column(matches[0], column)

    def _has(self, source: Source, column: str) -> bool:
        names = self.blocks.output_names(source)
        return names is not None and column in names

    def expression(self, node: Any, block: Block) -> Verdict:
        """Whether the expression ``node`` of ``block`` is never NULL."""
        if is_node(node, ast.A_Const):
            return Verdict(False, "it is the NULL literal") if node.isnull else PROVEN
        if is_node(node, ast.ColumnRef):
            return self.column_ref(node, block)
        if is_node(node, ast.ParamRef):
            return Verdict(False, "a parameter can be NULL")
        if is_node(node, ast.TypeCast, ast.CollateClause, ast.NamedArgExpr):
            return self.expression(node.arg, block)
        if is_node(node, ast.FuncCall):
            return self._function(node, block)
        if is_node(node, ast.SQLValueFunction):
            current_schema = node.op == SQLValueFunctionOp.SVFOP_CURRENT_SCHEMA
            return Verdict(False, "current_schema can be NULL") if current_schema else PROVEN
        if is_node(node, ast.CoalesceExpr, ast.MinMaxExpr):
            parts = (self.expression(arg, block) for arg in node.args)
            return any_of(parts, "every argument of coalesce/greatest/least can be NULL")
        if is_node(node, ast.NullTest, ast.BooleanTest, ast.A_ArrayExpr, ast.RowExpr):
            return PROVEN
        if is_node(node, ast.GroupingFunc):
            return PROVEN
        if is_node(node, ast.SubLink):
            return self._sublink(node, block)
        if is_node(node, ast.A_Expr):
            return self._operator(node, block)
        if is_node(node, ast.BoolExpr):
            return all_of(self.expression(arg, block) for arg in node.args)
        if is_node(node, ast.CaseExpr):
            if node.defresult is None:
                return Verdict(False, "CASE without ELSE gives NULL")
            results = [when.result for when in node.args]
            return all_of(self.expression(r, block) for r in (*results, node.defresult))
        return Verdict(False, f"nothing proves the {type(node).__name__} is never NULL")

    def _sublink(self, node: Any, block: Block) -> Verdict:
        if node.subLinkType in (SubLinkType.EXISTS_SUBLINK, SubLinkType.ARRAY_SUBLINK):
            return PROVEN
        inner = node.subselect
        if node.subLinkType == SubLinkType.EXPR_SUBLINK and _one_row(inner):
            verdicts = self._outputs(self.blocks.block(inner, block.ctes))
            if verdicts and verdicts[0].never_null is not None:
                return verdicts[0]
        return Verdict(False, "a subquery gives NULL when it finds no row")

    def _operator(self, node: Any, block: Block) -> Verdict:
        if node.kind in _NULL_SAFE_OPERATORS:
            return PROVEN
        if node.kind == A_Expr_Kind.AEXPR_NULLIF:
            return Verdict(False, "NULLIF can give NULL")
        right = node.rexpr if isinstance(node.rexpr, list | tuple) else (node.rexpr,)
        operands = [op for op in (node.lexpr, *right) if op is not None]
        return all_of(self.expression(op, block) for op in operands)

    def _function(self, node: Any, block: Block) -> Verdict:
        name = (sval(node.funcname[-1]) or "").lower()
        if name in _NEVER_NULL_FUNCTIONS:
            return PROVEN
        if name in _STRICT_FUNCTIONS and node.over is None and not node.agg_star:
            return all_of(self.expression(arg, block) for arg in node.args or ())
        if name in _AGGREGATES:
            return Verdict(False, f"{name}() gives NULL over no rows")
        return Verdict(False, f"nothing proves {name}() never gives NULL")


def _one_row(select: Any) -> bool:
    """Whether ``select`` always gives exactly one row: no FROM at all, or an aggregate over
    its rows without GROUP BY, HAVING, LIMIT/OFFSET or a set operation."""
    if not is_node(select, ast.SelectStmt) or select.op != SetOperation.SETOP_NONE:
        return False
    if select.groupClause or select.havingClause or select.limitCount or select.limitOffset:
        return False
    if select.valuesLists or not select.targetList or len(select.targetList) != 1:
        return False
    if not select.fromClause:
        return not select.whereClause
    value = select.targetList[0].val
    while is_node(value, ast.TypeCast, ast.CoalesceExpr):
        value = value.arg if is_node(value, ast.TypeCast) else value.args[0]
    return is_node(value, ast.FuncCall) and (sval(value.funcname[-1]) or "") in _AGGREGATES
