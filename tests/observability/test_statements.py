"""`shopdb report` over pg_stat_statements, on a throwaway cluster that preloads it (the shared
server does not: shared_preload_libraries needs a restart); and its messages elsewhere."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner

from shopdb import Database, Settings, migrations
from shopdb.cli import main
from shopdb.core.timer import QueryTimer
from shopdb.models import NewUser
from shopdb.observability.statements import top_statements
from shopdb.testing import scratch_database
from tests.support.clusters import Cluster, throwaway_cluster

HASH = "$2b$12$" + "r" * 53
EMAIL = "reported@example.com"


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    """A cluster that loads pg_stat_statements and logs every statement."""
    with throwaway_cluster(
        "shared_preload_libraries=pg_stat_statements", "log_min_duration_statement=0"
    ) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def report_url(cluster: Cluster) -> str:
    """A migrated database on ``cluster`` with the extension, where users.get ran 20 times,
    users.count once and one user was created."""
    url = cluster.server.url("shopdb_report")
    with psycopg.connect(cluster.server.url("postgres"), autocommit=True) as conn:
        conn.execute("CREATE DATABASE shopdb_report")
    migrations.apply(Settings(database_url=url))
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION pg_stat_statements")
        conn.execute("SELECT pg_stat_statements_reset()")
    with Database(Settings(database_url=url, database_pool_min=1, database_pool_max=1)) as db:
        user = db.users.create(NewUser(email=EMAIL, password_hash=HASH))
        for _ in range(20):
            db.users.get(user.id)
        db.users.count()
    return url


def test_the_statements_are_reported_under_their_query_names(report_url: str) -> None:
    with psycopg.connect(report_url, autocommit=True) as conn:
        stats = {s.name: s for s in top_statements(conn, 100, QueryTimer(200))}
        stored = conn.execute(
            "SELECT query FROM pg_stat_statements WHERE query LIKE %s", ["%shopdb:users.get %"]
        ).fetchall()

    assert [row[0].split(" SELECT ")[0] for row in stored] == ["/* shopdb:users.get */"]
    assert (stats["users.get"].calls, stats["users.get"].rows) == (20, 20)
    assert stats["users.count"].calls == 1 and stats["users.create"].calls == 1
    assert all(stats[name].named for name in ("users.get", "users.count", "users.create"))
    totals = [s.total_ms for s in stats.values()]
    assert totals == sorted(totals, reverse=True)


def test_the_report_command_prints_the_top_queries_by_total_time(report_url: str) -> None:
    result = CliRunner().invoke(
        main, ["report", "--limit", "100"], env={"DATABASE_URL": report_url}
    )

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("top 100 statements by total execution time in postgresql://")
    assert lines[1].split() == ["query", "calls", "total", "ms", "mean", "ms", "rows"]
    (get,) = [line.split() for line in lines[2:] if line.startswith("users.get ")]
    assert get[1:2] == ["20"] and get[-1] == "20"
    assert EMAIL not in result.output


def test_the_server_log_names_each_statement(cluster: Cluster, report_url: str) -> None:
    log = cluster.log.read_text()

    assert "/* shopdb:users.get */ SELECT" in log and "/* shopdb:users.create */ INSERT" in log


def test_the_check_command_checks_the_extension_queries_where_it_is_loaded(
    report_url: str,
) -> None:
    result = CliRunner().invoke(main, ["check"], env={"DATABASE_URL": report_url})

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "every named query is prepared, declared and used as its model expects",
        # pg_cron's queries need a server that preloads it: tests/partitions/test_partman.py
        "not checked: sql/extensions/pg_cron.sql (extension pg_cron not installed)",
    ]


def test_without_the_extension_the_report_says_how_to_install_it(db_url: str) -> None:
    result = CliRunner().invoke(main, ["report"], env={"DATABASE_URL": db_url})

    assert result.exit_code == 1
    assert result.output.startswith("Error: pg_stat_statements is not installed in database")
    assert "shared_preload_libraries" in result.output and len(result.output.splitlines()) == 1


def test_installed_but_not_preloaded_the_report_says_the_server_must_load_it(
    postgresql_server: Any,
) -> None:
    with scratch_database(postgresql_server, "shopdb_pgss_idle") as url:
        with psycopg.connect(url, autocommit=True) as conn:
            preloaded = conn.execute("SHOW shared_preload_libraries").fetchone()
            if "pg_stat_statements" in str(preloaded):
                pytest.skip("the test server preloads pg_stat_statements")
            conn.execute("CREATE EXTENSION pg_stat_statements")
        result = CliRunner().invoke(main, ["report"], env={"DATABASE_URL": url})

    assert result.exit_code == 1
    assert "is installed in database" in result.output
    assert "the server has not loaded it" in result.output
