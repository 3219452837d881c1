"""`shopdb check` for sql/extensions/<extension>.sql: queries over an extension's views, which
only a database with that extension installed can prepare (shopdb.check.tools)."""

from __future__ import annotations

from typing import Any

import psycopg

from shopdb.check.declarations import collect
from shopdb.check.engine import check
from shopdb.check.loading import folder_label
from shopdb.check.problems import Problem
from shopdb.check.tools import EXTENSION_QUERIES
from shopdb.core.queries import load_queries, sql_dir
from shopdb.core.runner import execute
from shopdb.core.timer import QueryTimer


def check_extensions(conn: psycopg.Connection[Any]) -> tuple[list[Problem], list[str]]:
    """The problems of the extension queries whose extension ``conn``'s database has, and
    the extensions it lacks (their queries are not checked)."""
    lookup = load_queries()["observability"]["extension_version"]
    timer = QueryTimer(10_000)
    missing = [
        name for name in EXTENSION_QUERIES if execute(conn, lookup, {"name": name}, timer) is None
    ]
    directory = sql_dir() / "extensions"
    problems = check(conn, directory, collect((), EXTENSION_QUERIES), timer)
    skipped = {f"{folder_label(directory)}/{name}.sql" for name in missing}
    return [p for p in problems if p.file not in skipped], missing
