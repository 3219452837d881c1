"""Loads sql/*.sql with aiosql, one namespace per file, once per process."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import aiosql
from aiosql.query_loader import QueryLoader
from aiosql.types import QueryDatum, SQLOperationType

from shopdb.core.errors import NO_RULES, ConstraintRules

_READS = {SQLOperationType.SELECT, SQLOperationType.SELECT_ONE, SQLOperationType.SELECT_VALUE}
_NAME_PART = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def name_comment(name: str) -> str:
    """The leading comment that names ``name`` (``users.get``) in the statement the server
    sees: pg_stat_statements, the server's log and pg_stat_activity show it."""
    return f"/* shopdb:{name} */ "


class _NamingLoader(QueryLoader):
    """aiosql's loader, prefixing each statement with its name comment.

    The comment is fixed per query, so psycopg prepares it once as before; it goes on the
    first line, so line numbers in the query stay those of its text in the file.
    """

    def load_query_data_from_file(
        self, path: Path, ns_parts: list[str] | None = None, encoding: str | None = None
    ) -> list[QueryDatum]:
        data: list[QueryDatum] = super().load_query_data_from_file(
            path, ns_parts or [], encoding=encoding
        )
        namespace = path.stem
        for part in (namespace, *(datum.query_name for datum in data)):
            if not _NAME_PART.fullmatch(part):
                raise ValueError(f"{path.name}: {part!r} is not a valid query or file name")
        return [
            datum._replace(sql=name_comment(f"{namespace}.{datum.query_name}") + datum.sql)
            for datum in data
        ]


@dataclass(frozen=True, slots=True)
class Query:
    """One named query: ``users.get``, its SQL, its parameters and what kind of statement it
    is, plus what the repository that runs it declares about it (idempotent, planned per
    call, a lock, its constraint rules). The runner runs it; aiosql only parsed it."""

    name: str
    operation: SQLOperationType
    doc: str
    sql: str
    parameters: tuple[str, ...] = ()
    """The parameters declared on the query's ``-- name:`` line, in order."""
    idempotent: bool = False
    prepare: bool | None = None
    """psycopg's ``prepare`` for each call: None, prepared after prepare_threshold calls;
    False, never (planned with its values every time)."""
    lock: bool = False
    """A lock statement (``SELECT ... FOR NO KEY UPDATE``, an advisory lock): run only
    inside a transaction and never retried as a read."""
    rules: ConstraintRules = NO_RULES
    """The constraint messages and domain errors of the repository that declares it."""
    replica: bool = False
    """A read that may be served by a streaming replica (the repository's ``replica_reads``):
    outside a transaction, with DATABASE_REPLICA_URLS set (shopdb.core.replicas)."""
    budget: str | None = None
    """The text of its ``-- budget:`` comment line (read by shopdb.budgets), if it has one."""

    @property
    def is_read(self) -> bool:
        """True for SELECTs (``^``, ``$`` and plain): they change no data."""
        return self.operation in _READS

    @property
    def retry_safe(self) -> bool:
        """True for reads (not locks) and for writes declared idempotent: running them twice
        on a fresh connection is harmless."""
        return (self.is_read and not self.lock) or self.idempotent


def sql_dir() -> Path:
    """The sql/ folder: inside the installed package, or at the top of a source checkout.
    Its files are the library's queries; ``sql/tools/`` holds those of the tools."""
    return _resource_dir("sql")


def tools_sql_dir() -> Path:
    """sql/tools/: the statements of the command line, seeds, demo and check, which no
    Database loads or exports as metrics."""
    return sql_dir() / "tools"


def migrations_dir() -> Path:
    """The migrations/ folder: inside the installed package, or at the top of a checkout."""
    return _resource_dir("migrations")


def _resource_dir(name: str) -> Path:
    packaged = Path(str(resources.files("shopdb"))) / name
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[3] / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"shopdb's {name}/ folder is missing from {packaged}")


@functools.cache
def load_queries(directory: Path | None = None) -> Mapping[str, Mapping[str, Query]]:
    """Every query of every sql/*.sql file, as ``{namespace: {name: Query}}``."""
    root = directory or sql_dir()
    namespaces: dict[str, dict[str, Query]] = {}
    for path in sorted(root.glob("*.sql")):
        loaded = aiosql.from_path(path, "psycopg", attribute=None, loader_cls=_NamingLoader)
        namespace = path.stem
        namespaces[namespace] = {
            name: _query(namespace, name, getattr(loaded, name))
            for name in loaded.available_queries
            if not name.endswith("_cursor")
        }
    return namespaces


_BUDGET = "budget:"


def _query(namespace: str, name: str, fn: Any) -> Query:
    lines = (fn.__doc__ or "").strip().splitlines()
    budgets = [line.removeprefix(_BUDGET).strip() for line in lines if line.startswith(_BUDGET)]
    return Query(
        name=f"{namespace}.{name}",
        operation=fn.operation,
        doc="\n".join(line for line in lines if not line.startswith(_BUDGET)).strip(),
        sql=fn.sql,
        parameters=tuple(getattr(fn, "parameters", None) or ()),
        budget="; ".join(budgets) or None,
    )
