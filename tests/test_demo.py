"""The demo: migrates, creates users once, and reports the queries it ran."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from shopdb import Settings
from shopdb.core.errors import ShopDBError
from shopdb.core.queries import load_queries
from shopdb.core.runner import execute
from shopdb.core.timer import QueryTimer
from shopdb.demo import ensure_demo_database, run_demo
from tests.support.database import url_of


def test_the_demo_reports_every_query_it_ran_and_is_repeatable(empty_url: str) -> None:
    first: list[str] = []
    second: list[str] = []

    run_demo(empty_url, out=first.append)
    run_demo(empty_url, out=second.append)

    assert any(line.startswith("migrations 0001_foundation") for line in first)
    assert any("already up to date" in line for line in second)
    for report in (first, second):
        assert any(line.startswith("users      3 live") for line in report)
        assert any(line.startswith("users.get ") for line in report)
        assert "slow threshold 200 ms" in report[-1]


def test_the_local_demo_database_is_made_once_and_never_made_twice(
    postgresql: psycopg.Connection[Any],
) -> None:
    # The demo's own database is left in place: the tests never drop what they did not make.
    url = url_of(postgresql.info, "shopdb_demo")
    admin = load_queries()["admin"]
    timer = QueryTimer(200)

    ensure_demo_database(url)
    ensure_demo_database(url)

    with psycopg.connect(url) as conn:
        assert conn.info.dbname == "shopdb_demo"
    with psycopg.connect(url_of(postgresql.info, "postgres"), autocommit=True) as maintenance:
        assert execute(maintenance, admin["database_exists"], {"name": "shopdb_demo"}, timer)
        with pytest.raises(ShopDBError, match="DuplicateDatabase"):
            execute(maintenance, admin["create_demo_database"], {}, timer)


def test_the_demo_command_uses_its_own_database_on_the_server_database_url_names() -> None:
    from psycopg.conninfo import conninfo_to_dict

    from shopdb.demo import demo_url

    url = demo_url("postgresql://app:s%40cret@db.example:6543/production?sslmode=prefer")
    params = conninfo_to_dict(Settings(database_url=url).conninfo)

    assert params["dbname"] == "shopdb_demo"
    assert (params["host"], params["port"], params["user"]) == ("db.example", "6543", "app")
    assert (params["password"], params["sslmode"]) == ("s@cret", "prefer")
