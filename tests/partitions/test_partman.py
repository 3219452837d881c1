"""pg_partman 4.7 + pg_cron 1.4 (Debian's postgresql-15-partman and postgresql-15-cron, `make
partition-tools`), on a throwaway cluster that preloads pg_cron: `shopdb partitions partman`
hands both tables to pg_partman and schedules its maintenance, and pg_partman's maintenance
leaves the same partitions as `shopdb partitions maintain` does on a twin database (issue 19,
point 4)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner

from shopdb import Settings, migrations
from shopdb.check.extensions import check_extensions
from shopdb.cli import main
from shopdb.core.timer import QueryTimer
from shopdb.partitions import default_rows, maintain
from tests.partitions.support import insert_dated, month_name, months_from_now, partition_names
from tests.support.clusters import Cluster, throwaway_cluster

TIMER = QueryTimer(200)
PARTMAN_DB = "shopdb_partman"


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    """A cluster that loads pg_cron, whose jobs run in the partman database."""
    with throwaway_cluster(
        "shared_preload_libraries=pg_cron", f"cron.database_name={PARTMAN_DB}"
    ) as cluster:
        yield cluster


def _migrated(cluster: Cluster, name: str, *extensions: str) -> str:
    url = cluster.server.url(name)
    with psycopg.connect(cluster.server.url("postgres"), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    migrations.apply(Settings(database_url=url))
    with psycopg.connect(url, autocommit=True) as conn:
        for extension in extensions:
            if extension == "pg_partman":
                conn.execute("CREATE SCHEMA partman")
                conn.execute("CREATE EXTENSION pg_partman SCHEMA partman")
            else:
                conn.execute(f"CREATE EXTENSION {extension}")
        # A month already past retention, holding a row: both ways must drop it.
        conn.execute("SELECT create_month_partitions('audit_logs', 0, %s)", [months_from_now(-30)])
        insert_dated(conn, "audit_logs", "old", months_from_now(-30))
    return url


@pytest.fixture(scope="module")
def twins(cluster: Cluster) -> tuple[str, str]:
    """Two migrated databases alike: one with pg_partman and pg_cron, one with neither."""
    return (
        _migrated(cluster, PARTMAN_DB, "pg_partman", "pg_cron"),
        _migrated(cluster, "shopdb_plain"),
    )


def test_partman_and_maintain_leave_the_same_partitions(twins: tuple[str, str]) -> None:
    partman_url, plain_url = twins
    # In this process (CliRunner), so that the query coverage of the suite sees its queries.
    handed = CliRunner().invoke(
        main, ["partitions", "partman", "--schedule", "17 3 * * *"],
        env={"DATABASE_URL": partman_url},
    )  # fmt: skip
    assert handed.exit_code == 0, handed.output
    assert handed.output.splitlines()[-1].startswith("pg_cron job ")

    with psycopg.connect(partman_url, autocommit=True) as conn:
        conn.execute("SELECT partman.run_maintenance()")
        by_partman = partition_names(conn)
        config = conn.execute(
            "SELECT parent_table, premake, retention FROM partman.part_config ORDER BY 1"
        ).fetchall()
        jobs = conn.execute("SELECT schedule, command, database FROM cron.job").fetchall()
        launcher = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_cron launcher'"
        ).fetchone()
        in_default = default_rows(conn, TIMER)
        problems, missing = check_extensions(conn)
    with psycopg.connect(plain_url, autocommit=True) as conn:
        maintain(conn, TIMER, premake_months=3, retention_months=24)
        by_maintain = partition_names(conn)

    assert by_partman == by_maintain
    assert month_name("audit_logs", months_from_now(-30)) not in by_partman["audit_logs"]
    assert month_name("audit_logs", months_from_now(3)) in by_partman["audit_logs"]
    assert by_partman["audit_logs"][-1] == "audit_logs_default"
    assert by_partman["security_events"][0] == "security_events_legacy"
    # pg_partman 4.7 cannot read the legacy partition's MINVALUE bound: no retention there yet.
    assert config == [("public.audit_logs", 3, "24 months"), ("public.security_events", 3, None)]
    assert jobs == [("17 3 * * *", "SELECT partman.run_maintenance()", PARTMAN_DB)]
    assert launcher == (1,)
    assert in_default == {"audit_logs": 0, "security_events": 0}
    assert problems == [] and "pg_cron" not in missing and "pg_partman" not in missing


def test_rows_of_every_date_are_stored_under_partman(twins: tuple[str, str]) -> None:
    partman_url, _ = twins
    with psycopg.connect(partman_url, autocommit=True) as conn:
        for months in (-40, -5, 0, 2, 14, 120):
            for table in ("audit_logs", "security_events"):
                insert_dated(conn, table, f"m{months}", months_from_now(months))
        counts: Any = default_rows(conn, TIMER)

    # Behind the first month and past the months made: the default partitions hold them.
    assert counts == {"audit_logs": 4, "security_events": 2}


def test_the_command_refuses_a_database_without_pg_partman(twins: tuple[str, str]) -> None:
    _, plain_url = twins
    done = CliRunner().invoke(main, ["partitions", "partman"], env={"DATABASE_URL": plain_url})

    assert done.exit_code == 1
    assert "pg_partman is not installed in database shopdb_plain" in done.output
