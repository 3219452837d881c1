"""`shopdb check` is clean on the project's own sql/ (this is how `make test` runs it): every
query prepared on a freshly migrated database, against every repository and tool declaration."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner

from shopdb.check import check, format_table, package_declarations, repository_classes
from shopdb.check.extensions import check_extensions
from shopdb.cli import main
from shopdb.core.queries import load_queries, tools_sql_dir
from shopdb.testing import scratch_database


@pytest.fixture(scope="session")
def migrated_url(postgresql_server: Any) -> Iterator[str]:
    """A copy of the session's migrated template, nothing added."""
    with scratch_database(
        postgresql_server, "shopdb_clean", template=postgresql_server.template_dbname
    ) as url:
        yield url


def test_the_project_queries_have_no_problem(migrated_url: str) -> None:
    with psycopg.connect(migrated_url, autocommit=True) as conn:
        problems = check(conn)
    assert problems == [], "\n" + format_table(problems)


def test_every_repository_and_every_sql_file_is_declared() -> None:
    declared = package_declarations()
    assert repository_classes(), "shopdb.repositories.REPOSITORIES lists no repository"
    namespaces = {namespace for namespace, _ in declared.uses}
    assert namespaces == set(load_queries()) | set(load_queries(tools_sql_dir()))


def test_the_check_command_exits_zero(migrated_url: str) -> None:
    result = CliRunner().invoke(main, ["check"], env={"DATABASE_URL": migrated_url})
    assert result.exit_code == 0, result.output
    assert result.output.startswith("every named query is prepared")


def test_the_check_command_names_the_extension_queries_it_could_not_check(
    migrated_url: str,
) -> None:
    result = CliRunner().invoke(main, ["check"], env={"DATABASE_URL": migrated_url})

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1:] == [
        "not checked: sql/extensions/pg_stat_statements.sql "
        "(extension pg_stat_statements not installed)",
        "not checked: sql/extensions/pg_cron.sql (extension pg_cron not installed)",
    ]


def test_the_extension_queries_are_checked_where_the_extension_is_installed(
    postgresql_server: Any,
) -> None:
    template = postgresql_server.template_dbname
    with (
        scratch_database(postgresql_server, "shopdb_pgss", template=template) as url,
        psycopg.connect(url, autocommit=True) as conn,
    ):
        # Created, not loaded (no shared_preload_libraries here): enough to prepare its view.
        conn.execute("CREATE EXTENSION pg_stat_statements")
        problems, missing = check_extensions(conn)

    # pg_cron can be created only where the server preloads it: its queries are checked on
    # such a cluster by tests/partitions/test_partman.py.
    assert (problems, missing) == ([], ["pg_cron"])
