"""Every named query: loaded once, documented, free of stray %, and valid against the schema."""

from __future__ import annotations

import re
from typing import Any

import psycopg
import pytest

from shopdb.core.queries import Query, load_queries

ALL = [query for namespace in load_queries().values() for query in namespace.values()]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def test_queries_are_loaded_once_per_process() -> None:
    assert load_queries() is load_queries()


def test_there_is_one_namespace_per_sql_file() -> None:
    assert {"health", "users", "migrations", "admin"} <= set(load_queries())


@pytest.mark.parametrize("query", ALL, ids=lambda q: q.name)
def test_every_query_has_a_one_line_comment(query: Query) -> None:
    assert query.doc, f"{query.name} has no comment"
    assert "\n" not in query.doc, f"{query.name}: the comment is one line"


@pytest.mark.parametrize("query", ALL, ids=lambda q: q.name)
def test_no_query_has_a_stray_percent_sign(query: Query) -> None:
    # aiosql always passes a dict: a literal % must be %%, or the query breaks silently.
    assert not re.search(r"%(?!\(\w+\)s|%)", query.sql), f"{query.name}: write % as %%"


@pytest.mark.parametrize(
    "query", [q for q in ALL if not q.name.startswith("admin.")], ids=lambda q: q.name
)
def test_every_query_is_valid_against_the_migrated_schema(
    query: Query, postgresql: psycopg.Connection[Any]
) -> None:
    names: list[str] = []

    def numbered(match: re.Match[str]) -> str:
        if match.group(1) not in names:
            names.append(match.group(1))
        return f"${names.index(match.group(1)) + 1}"

    statement = PLACEHOLDER.sub(numbered, query.sql).replace("%%", "%")
    result = postgresql.pgconn.prepare(query.name.encode(), statement.encode())

    assert result.status == psycopg.pq.ExecStatus.COMMAND_OK, result.error_message.decode()
