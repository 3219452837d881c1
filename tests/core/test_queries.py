"""Every named query: loaded once, documented, free of stray %, and valid against the schema."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import psycopg
import pytest

from shopdb import Database, Settings
from shopdb.core.queries import Query, load_queries, tools_sql_dir
from shopdb.models import User
from shopdb.testing import with_settings

ALL = [
    query
    for directory in (None, tools_sql_dir())
    for namespace in load_queries(directory).values()
    for query in namespace.values()
]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def test_queries_are_loaded_once_per_process() -> None:
    assert load_queries() is load_queries()


def test_there_is_one_namespace_per_sql_file() -> None:
    assert {"health", "users", "migrations"} <= set(load_queries())
    tools = {"admin", "check", "seeds", "catalog", "partitions", "indexes", "budgets", "quality"}
    assert tools == set(load_queries(tools_sql_dir()))


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


@pytest.mark.parametrize("query", ALL, ids=lambda q: q.name)
def test_every_statement_starts_with_a_comment_naming_its_query(query: Query) -> None:
    assert query.sql.startswith(f"/* shopdb:{query.name} */ ")


def test_a_file_whose_name_cannot_go_into_the_comment_is_refused(tmp_path: Path) -> None:
    (tmp_path / "two words*.sql").write_text("-- name: one()$\n-- One.\nSELECT 1;\n")

    with pytest.raises(ValueError, match="not a valid query or file name"):
        load_queries.__wrapped__(tmp_path)


def test_the_server_prepares_the_named_statement_once_with_its_comment(
    settings: Settings, user: User
) -> None:
    one_connection = with_settings(settings, database_pool_min=1, database_pool_max=1)
    with Database(one_connection) as db:
        for _ in range(7):  # prepare_threshold is 5: from the 6th run on it is prepared
            assert db.users.get(user.id) == user
        with db.pool.connection() as conn:
            rows = conn.execute(
                "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s",
                ["%shopdb:users.get%"],
            ).fetchall()

    assert [row[0].split(" SELECT ")[0] for row in rows] == ["/* shopdb:users.get */"]
