"""The demo's own database: which one it is, made once when missing, emptied before a run."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from shopdb import ConfigurationError, Settings, migrations
from shopdb.core.errors import ShopDBError
from shopdb.core.queries import load_queries, tools_sql_dir
from shopdb.core.runner import execute
from shopdb.core.timer import QueryTimer
from shopdb.demo import demo_url, ensure_demo_database, reset_demo_database
from shopdb.testing import url_of


def test_the_demo_uses_shopdb_demo_on_the_server_database_url_names() -> None:
    url = demo_url("postgresql://app:s%40cret@db.example:6543/production?sslmode=prefer")
    params = conninfo_to_dict(Settings(database_url=url).conninfo)

    assert params["dbname"] == "shopdb_demo"
    assert (params["host"], params["port"], params["user"]) == ("db.example", "6543", "app")
    assert (params["password"], params["sslmode"]) == ("s@cret", "prefer")


def test_a_database_named_as_a_demo_database_is_used_as_it_is() -> None:
    url = demo_url("postgresql://app@db.example:6543/shopdb_demo_ada")

    assert url == "postgresql://app@db.example:6543/shopdb_demo_ada"


def test_the_local_demo_database_is_made_once_and_never_made_twice(
    postgresql: psycopg.Connection[Any],
) -> None:
    # The demo's own database is left in place: the tests never drop what they did not make.
    url = url_of(postgresql.info, "shopdb_demo")
    admin = load_queries(tools_sql_dir())["admin"]
    timer = QueryTimer(200)

    ensure_demo_database(url)
    ensure_demo_database(url)

    with psycopg.connect(url) as conn:
        assert conn.info.dbname == "shopdb_demo"
    with psycopg.connect(url_of(postgresql.info, "postgres"), autocommit=True) as maintenance:
        assert execute(maintenance, admin["database_exists"], {"name": "shopdb_demo"}, timer)
        with pytest.raises(ShopDBError, match="DuplicateDatabase"):
            execute(maintenance, admin["create_demo_database"], {}, timer)


def test_reset_empties_a_migrated_demo_database(demo_db_url: str) -> None:
    settings = Settings(database_url=demo_db_url)
    migrations.apply(settings)

    reset_demo_database(demo_db_url)

    assert all(not state.applied for state in migrations.status(settings))
    with psycopg.connect(demo_db_url) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public'"
        ).fetchone()
    assert tables == (0,)


def test_reset_refuses_a_database_that_is_not_a_demo_database(db_url: str) -> None:
    with pytest.raises(ConfigurationError, match="must start with shopdb_demo"):
        reset_demo_database(db_url)

    assert all(state.applied for state in migrations.status(Settings(database_url=db_url)))
