"""`shopdb check`: every named query prepared by the server and held against its declaration.

``check(conn, ...)`` runs nothing: each query is prepared as the unnamed statement and
described (parameter and result types), parsed with pglast (PostgreSQL's own parser) for
what a description does not say (outer joins, data-modifying CTEs, the tables written and
locked: ``shopdb.check.aggregates``), and compared with what the repositories and tools
declare (``shopdb.check.declarations``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import psycopg
from aiosql.types import SQLOperationType
from pglast import ast, parse_sql
from pglast.enums import JoinType

from shopdb.check.aggregates import aggregate_problems
from shopdb.check.cached import cache_problems
from shopdb.check.catalog import Catalog
from shopdb.check.declarations import Declarations, QueryUse, package_declarations
from shopdb.check.describe import Described, Refused, describe
from shopdb.check.loading import Namespaces, folder_label, load_folders
from shopdb.check.nullability import Nullability, Verdict
from shopdb.check.problems import Problem
from shopdb.check.rows import model_problems
from shopdb.check.sources import DML, Blocks, is_node, sval, walk
from shopdb.core.placeholders import line_of, number_placeholders
from shopdb.core.queries import Query, load_queries, sql_dir, tools_sql_dir
from shopdb.core.timer import QueryTimer

_ROWS = {
    SQLOperationType.SELECT,
    SQLOperationType.SELECT_ONE,
    SQLOperationType.INSERT_RETURNING,
}
_READS = {SQLOperationType.SELECT, SQLOperationType.SELECT_ONE, SQLOperationType.SELECT_VALUE}
_WRITING_BUILTINS = {"nextval", "setval"}


def check(
    conn: psycopg.Connection[Any],
    directory: Path | None = None,
    declarations: Declarations | None = None,
    timer: QueryTimer | None = None,
) -> list[Problem]:
    """Every problem of the queries in ``directory`` (default: sql/ and sql/tools/) on the
    migrated database of ``conn`` (autocommit), against ``declarations`` (default: the
    package's repositories and tools)."""
    roots = [directory] if directory is not None else [sql_dir(), tools_sql_dir()]
    declared = declarations or package_declarations()
    catalog = Catalog(conn, timer or QueryTimer(10_000))
    namespaces, files, problems = load_folders(roots)
    for namespace, queries in namespaces.items():
        where = files[namespace]
        for name, query in queries.items():
            use = declared.uses.get((namespace, name))
            found = check_query(conn, catalog, query, use)
            problems += [Problem(where, name, text) for text in found]
            if use is None:
                problems.append(Problem(where, name, "no repository or tool uses this query"))
    problems += _declaration_problems(folder_label(roots[0]), namespaces, files, declared)
    problems += _constraint_problems(catalog, declared)
    problems += aggregate_problems(catalog, namespaces, declared)
    problems += cache_problems(namespaces, declared)
    if directory is None:
        from shopdb.budgets.rules import budget_problems

        library = {ns: namespaces[ns] for ns in load_queries(sql_dir()) if ns in namespaces}
        problems += budget_problems(library, files)
    return sorted(problems)


def _constraint_problems(catalog: Catalog, declared: Declarations) -> list[Problem]:
    """A constraint the schema lacks; one that two repositories name (whose rules apply to
    its error would depend on which statement hit it: one repository owns each)."""
    found = [
        Problem(owner, "-", f"constraint {name} is not in the migrated schema")
        for name in sorted(catalog.missing_constraints(declared.constraints))
        for owner in declared.constraints[name]
    ]
    for name, owners in sorted(declared.constraints.items()):
        classes = declared.constraint_classes.get(name, ())
        if len(classes) < 2:
            continue
        for owner in owners:
            others = [c for c in classes if c != owner.rpartition(".")[0]]
            found.append(
                Problem(
                    owner,
                    "-",
                    f"constraint {name} is also named by {', '.join(others)}: "
                    "one repository owns each constraint",
                )
            )
    return found


def check_query(
    conn: psycopg.Connection[Any], catalog: Catalog, query: Query, use: QueryUse | None
) -> list[str]:
    """What is wrong with one query, each as one sentence."""
    numbered = number_placeholders(query.sql)
    found = [
        f"line {line_of(query.sql, at)} of the query: a literal % must be written %%"
        for at in numbered.stray_percents
    ]
    found += _parameter_problems(query, numbered.names)
    found += _owner_problems(query, use)
    try:
        tree = parse_sql(numbered.sql)
    except Exception as exc:
        return [*found, f"the parser refuses it: {' '.join(str(exc).split())}"]
    if query.operation is SQLOperationType.SCRIPT:
        return found  # a script (CREATE DATABASE, ...) cannot be prepared
    try:
        described = describe(conn, numbered.sql)
    except Refused as exc:
        return [*found, f"the server refuses it: {exc}"]
    stmt = tree[0].stmt
    if query.operation in _READS:
        found += _read_problems(catalog, stmt)
    count = len(described.columns)
    if query.operation is SQLOperationType.SELECT_VALUE and count != 1:
        found.append(f"a $ query must return exactly one column, this one returns {count}")
    if use is None:
        return found
    if use.model is None:
        if not use.tool and query.operation in _ROWS and count:
            found.append("it returns rows but its repository declares no model for them")
        return found
    if not count:
        return [*found, f"it returns no columns but is declared to fill {use.model.__name__}"]
    verdicts = nullability(catalog, stmt, described)
    return found + model_problems(catalog, described.columns, verdicts, use.model)


def nullability(catalog: Catalog, stmt: Any, described: Described) -> list[Verdict]:
    """A NULL verdict per result column: pglast's analysis where it can follow the column,
    else the server's source column (NOT NULL only when the statement has no outer join)."""
    columns = described.columns
    verdicts = Nullability(Blocks(catalog)).outputs(stmt)
    if verdicts is None or len(verdicts) != len(columns):
        verdicts = [Verdict(None)] * len(columns)
    outer = any(
        is_node(node, ast.JoinExpr) and node.jointype != JoinType.JOIN_INNER for node in walk(stmt)
    )
    final: list[Verdict] = []
    for column, verdict in zip(columns, verdicts, strict=True):
        source = catalog.column(column.table, column.table_column) if column.table else None
        if verdict.never_null is not False and source is not None and not source.not_null:
            verdict = Verdict(False, f"its source column {source.name} allows NULL")
        elif verdict.never_null is None and source is not None:
            never = not outer
            verdict = Verdict(never, "the statement has an outer join this check cannot follow")
        elif verdict.never_null is None:
            verdict = Verdict(False, "it is computed and nothing proves it is never NULL")
        final.append(verdict)
    return final


def _parameter_problems(query: Query, used: tuple[str, ...]) -> list[str]:
    declared = query.parameters
    if set(declared) == set(used):
        return []
    undeclared = [n for n in used if n not in declared]
    unused = [n for n in declared if n not in used]
    parts = [f"uses undeclared {', '.join(undeclared)}"] if undeclared else []
    parts += [f"never uses declared {', '.join(unused)}"] if unused else []
    return [f"parameters differ from the declaration ({'; '.join(parts)})"]


def _owner_problems(query: Query, use: QueryUse | None) -> list[str]:
    """A query of a customer repository must bind its rows to the owner: it takes the
    owner parameter (and, by the parameter rule, uses it)."""
    bound = None if use is None else use.owner_parameter
    if bound is None or bound in query.parameters:
        return []
    return [
        f"does not use the owner parameter {bound}: every query of "
        f"{use.owner.rpartition('.')[0] if use else ''} binds its rows to their owner "
        f"(AND {bound} = :{bound}, or a join to an owned row)"
    ]


def _read_problems(catalog: Catalog, stmt: Any) -> list[str]:
    retry = "a read is retried on a lost connection: name it with <! or !"
    if not is_node(stmt, ast.SelectStmt):
        kind = type(stmt).__name__.removesuffix("Stmt").upper()
        return [f"a read (^, $ or plain) must be a SELECT, this is {kind}; {retry}"]
    found: list[str] = []
    if any(isinstance(node, DML) for node in walk(stmt)):
        found.append(f"a read modifies data (a data-modifying WITH); {retry}")
    if any(is_node(node, ast.SelectStmt) and node.intoClause for node in walk(stmt)):
        found.append(f"a read creates a table (SELECT INTO); {retry}")
    called = {
        (sval(node.funcname[-1]) or "").lower()
        for node in walk(stmt)
        if is_node(node, ast.FuncCall)
    }
    for name in sorted((called & _WRITING_BUILTINS) | catalog.writing_functions(called)):
        found.append(f"a read calls {name}(), a VOLATILE function that may write; {retry}")
    return found


def _declaration_problems(
    label: str, namespaces: Namespaces, files: Mapping[str, str], declared: Declarations
) -> list[Problem]:
    found: list[Problem] = []
    for (namespace, name), use in sorted(declared.uses.items()):
        if name not in namespaces.get(namespace, {}):
            where = files.get(namespace, f"{label}/{namespace}.sql")
            found.append(Problem(use.owner, name, f"is declared but {where} has no such query"))
    for (namespace, name), owner in sorted(declared.idempotent.items()):
        query = namespaces.get(namespace, {}).get(name)
        if query is None:
            where = files.get(namespace, f"{label}/{namespace}.sql")
            found.append(Problem(owner, name, f"names no query of {where}"))
        elif query.is_read:
            found.append(Problem(owner, name, "is a read: only writes are declared idempotent"))
    for (namespace, name), owner in sorted(declared.replica_reads.items()):
        query = namespaces.get(namespace, {}).get(name)
        if query is not None and not query.is_read:
            found.append(Problem(owner, name, "is a write: a replica answers reads only"))
    for (_, name), owner in sorted(declared.replica_undeclared.items()):
        found.append(
            Problem(
                owner, name, "is not one of the repository's queries (a lock never reads a replica)"
            )
        )
    for (_, name), owner in sorted(declared.unknown_planned.items()):
        found.append(Problem(owner, name, "is not one of the repository's declared queries"))
    for (_, name), owner in sorted(declared.both.items()):
        found.append(
            Problem(
                owner, name, "is declared in both queries and locks: a name is one or the other"
            )
        )
    return found
