"""The demo: migrates, creates users once, and reports the queries it ran."""

from __future__ import annotations

from typing import Any

import psycopg

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


def test_the_local_demo_database_is_created_once(postgresql: psycopg.Connection[Any]) -> None:
    url = url_of(postgresql.info, "shopdb_demo")
    with psycopg.connect(url_of(postgresql.info, "postgres"), autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS shopdb_demo WITH (FORCE)")

    ensure_demo_database(url)
    ensure_demo_database(url)

    with psycopg.connect(url) as conn:
        assert conn.info.dbname == "shopdb_demo"
