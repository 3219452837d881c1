"""The catalog facts `shopdb check` needs, read through sql/check.sql and kept per run."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import psycopg

from shopdb.core.queries import Query, load_queries, tools_sql_dir
from shopdb.core.runner import execute
from shopdb.core.timer import QueryTimer


@dataclass(frozen=True, slots=True)
class TypeInfo:
    """One pg_type row: ``kind`` b/e/d/c/p, ``element`` of an array, ``base`` of a domain."""

    oid: int
    name: str
    kind: str
    category: str
    element: int
    base: int
    labels: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a table or view, as pg_attribute has it."""

    number: int
    name: str
    not_null: bool


class Catalog:
    """Cached lookups of types, relations, columns, constraints and functions on ``conn``."""

    def __init__(self, conn: psycopg.Connection[Any], timer: QueryTimer) -> None:
        self._conn = conn
        self._timer = timer
        self._queries = load_queries(tools_sql_dir())["check"]
        self._types: dict[int, TypeInfo] = {}
        self._relations: dict[str, int | None] = {}
        self._columns: dict[int, tuple[Column, ...]] = {}

    def _run(self, name: str, **params: Any) -> list[dict[str, Any]]:
        query: Query = self._queries[name]
        result = execute(self._conn, query, params, self._timer)
        return [result] if isinstance(result, dict) else list(result or [])

    def type(self, oid: int) -> TypeInfo | None:
        """The type of ``oid`` (domains are not resolved here: see ``resolve``)."""
        if oid and oid not in self._types:
            rows = self._run("type_of", oid=oid)
            if rows:
                row = rows[0]
                self._types[oid] = TypeInfo(
                    oid,
                    row["name"],
                    row["kind"],
                    row["category"],
                    row["element"],
                    row["base"],
                    tuple(row["labels"]),
                )
        return self._types.get(oid)

    def resolve(self, oid: int) -> TypeInfo | None:
        """The type of ``oid`` with domains replaced by their base type."""
        info = self.type(oid)
        while info is not None and info.kind == "d" and info.base:
            info = self.type(info.base)
        return info

    def relation(self, name: str) -> int | None:
        """The oid of the table or view ``name`` resolves to on the search path, or None."""
        if name not in self._relations:
            query = self._queries["relation"]
            self._relations[name] = execute(self._conn, query, {"name": name}, self._timer)
        return self._relations[name]

    def columns(self, relation: int) -> tuple[Column, ...]:
        """The live columns of ``relation`` in table order."""
        if relation not in self._columns:
            rows = self._run("columns", relation=relation)
            self._columns[relation] = tuple(
                Column(row["number"], row["name"], row["not_null"]) for row in rows
            )
        return self._columns[relation]

    def column(self, relation: int, name_or_number: str | int) -> Column | None:
        """One column of ``relation`` by name or attribute number, or None."""
        for column in self.columns(relation):
            if name_or_number in (column.name, column.number):
                return column
        return None

    def missing_constraints(self, names: Iterable[str]) -> set[str]:
        """Those of ``names`` that are no constraint, trigger or index on the search path."""
        wanted = sorted(set(names))
        if not wanted:
            return set()
        found = {row["name"] for row in self._run("existing_constraints", names=wanted)}
        return set(wanted) - found

    def writing_functions(self, names: Iterable[str]) -> set[str]:
        """Those of ``names`` that are VOLATILE functions of the schema (they may write)."""
        wanted = sorted(set(names))
        if not wanted:
            return set()
        return {row["name"] for row in self._run("writing_functions", names=wanted)}
