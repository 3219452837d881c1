"""The plan a named query gets after it has run N times as one prepared statement.

PostgreSQL plans the first five executions of a prepared statement for their parameter
values (custom plans), then may switch to one generic plan for every value. psycopg prepares
a query after ``prepare_threshold`` executions, so what a long-lived connection runs is what
the server chose after those executions. Here the statement is prepared server-side
(``PREPARE``: the same plan cache as the protocol's), executed ``runs`` times with the
values given, then explained with them: ``EXPLAIN (FORMAT JSON) EXECUTE``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from shopdb.core.placeholders import number_placeholders
from shopdb.core.queries import Query, load_queries

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"


@dataclass(frozen=True, slots=True)
class Plan:
    """A plan as EXPLAIN (FORMAT JSON) gave it: its nodes, indexes, and whether it is generic."""

    root: dict[str, Any]

    def nodes(self) -> Iterator[dict[str, Any]]:
        stack = [self.root]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(node.get("Plans", []))

    @property
    def indexes(self) -> set[str]:
        """The index every index, index-only or bitmap index scan of the plan reads."""
        return {node["Index Name"] for node in self.nodes() if "Index Name" in node}

    @property
    def generic(self) -> bool:
        """A generic plan still refers to its parameters ($1...); a custom one has values."""
        return "$1" in json.dumps(self.root)

    @property
    def scans(self) -> list[str]:
        """Each scan node, as "Node Type on relation (index)", top down."""
        found = []
        for node in self.nodes():
            if "Relation Name" in node:
                index = f" ({node['Index Name']})" if "Index Name" in node else ""
                found.append(f"{node['Node Type']} on {node['Relation Name']}{index}")
        return found


def query(name: str, directory: Path | None = None) -> Query:
    """The named query ``namespace.query`` of sql/ (or of ``directory``)."""
    namespace, _, query_name = name.partition(".")
    return load_queries(directory)[namespace][query_name]


def generic_plan(conn: psycopg.Connection[Any], named: Query, params: Mapping[str, Any]) -> Plan:
    """The generic plan of ``named`` (plan_cache_mode = force_generic_plan): what every
    execution runs once PostgreSQL prefers it to custom plans."""
    conn.execute("SET plan_cache_mode = force_generic_plan")
    try:
        return plan_after(conn, named, params, runs=0)
    finally:
        conn.execute("RESET plan_cache_mode")


def plan_after(
    conn: psycopg.Connection[Any], named: Query, params: Mapping[str, Any], *, runs: int = 20
) -> Plan:
    """The plan ``named`` has for ``params`` after ``runs`` executions as one prepared
    statement on ``conn`` (which is left without it)."""
    numbered = number_placeholders(named.sql)
    statement = sql.Identifier(f"bench_{named.name.replace('.', '_')}")
    values = sql.SQL(", ").join(sql.Literal(params[name]) for name in numbered.names)
    conn.execute(sql.SQL("PREPARE {} AS {}").format(statement, sql.SQL(numbered.sql)))
    try:
        for _ in range(runs):
            conn.execute(sql.SQL("EXECUTE {}({})").format(statement, values)).fetchall()
        explain = sql.SQL("EXPLAIN (FORMAT JSON) EXECUTE {}({})").format(statement, values)
        row = conn.execute(explain).fetchone()
    finally:
        conn.execute(sql.SQL("DEALLOCATE {}").format(statement))
    assert row is not None
    document = row[0] if isinstance(row[0], list) else json.loads(row[0])
    return Plan(document[0]["Plan"])


def plan_per_call(conn: psycopg.Connection[Any], named: Query, params: Mapping[str, Any]) -> Plan:
    """The plan ``named`` gets when it is never prepared (a repository's planned_per_call):
    EXPLAIN of the statement sent with its values, planned for those values."""
    rows = conn.execute(f"EXPLAIN (FORMAT JSON) {named.sql}", params, prepare=False).fetchone()
    assert rows is not None
    document = rows[0] if isinstance(rows[0], list) else json.loads(rows[0])
    return Plan(document[0]["Plan"])
