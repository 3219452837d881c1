"""The demo's own database: which one, made when missing, emptied before each run."""

from __future__ import annotations

from urllib.parse import quote

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from shopdb.core.errors import ConfigurationError, ShopDBError, without_driver_errors
from shopdb.core.queries import load_queries, tools_sql_dir
from shopdb.core.runner import execute
from shopdb.core.timer import QueryTimer
from shopdb.settings import Settings, unavailable

DEMO_DATABASE = "shopdb_demo"
"""The demo's database; any database whose name starts with it is a demo database too."""


def demo_url(url: str) -> str:
    """The URL of the demo's own database on the server ``url`` names: ``url`` itself when
    its database is a demo database (its name starts with shopdb_demo), else shopdb_demo on
    that server. The application's database is never where demo rows go."""
    params = conninfo_to_dict(Settings(database_url=url).conninfo)
    if not str(params.get("dbname", "")).startswith(DEMO_DATABASE):
        params["dbname"] = DEMO_DATABASE
    user = quote(str(params.pop("user", "")), safe="")
    password = params.pop("password", None)
    auth = f"{user}:{quote(str(password), safe='')}@" if password else (f"{user}@" if user else "")
    host = str(params.pop("host", "127.0.0.1"))
    port = str(params.pop("port", "5432"))
    dbname = quote(str(params.pop("dbname")), safe="")
    query = "&".join(f"{key}={quote(str(value), safe='')}" for key, value in params.items())
    return f"postgresql://{auth}{host}:{port}/{dbname}" + (f"?{query}" if query else "")


def ensure_demo_database(url: str) -> None:
    """Create shopdb_demo on the server when ``url`` names it and it is missing."""
    settings = Settings(database_url=url)
    if conninfo_to_dict(settings.conninfo).get("dbname") != DEMO_DATABASE:
        return
    admin = load_queries(tools_sql_dir())["admin"]
    timer = QueryTimer(settings.slow_query_ms)
    maintenance = make_conninfo(settings.conninfo, dbname="postgres")
    with _connect(settings, maintenance) as conn:
        if not execute(conn, admin["database_exists"], {"name": DEMO_DATABASE}, timer):
            try:
                execute(conn, admin["create_demo_database"], {}, timer)
            except ShopDBError:
                # Made by a concurrent run between the check and the CREATE: that is fine.
                if not execute(conn, admin["database_exists"], {"name": DEMO_DATABASE}, timer):
                    raise


def reset_demo_database(url: str) -> None:
    """Empty the demo database ``url`` names (its schema dropped and made again), so that
    every run starts from nothing. Refuses any database that is not a demo database."""
    settings = Settings(database_url=url)
    dbname = str(conninfo_to_dict(settings.conninfo).get("dbname", ""))
    if not dbname.startswith(DEMO_DATABASE):
        raise ConfigurationError(
            f"the demo empties its database, so its name must start with {DEMO_DATABASE}"
        )
    admin = load_queries(tools_sql_dir())["admin"]
    timer = QueryTimer(settings.slow_query_ms)
    with _connect(settings, settings.conninfo) as conn, conn.transaction():
        execute(conn, admin["drop_demo_schema"], {}, timer)
        execute(conn, admin["create_demo_schema"], {}, timer)


@without_driver_errors
def _connect(settings: Settings, conninfo: str) -> psycopg.Connection[tuple[object, ...]]:
    try:
        return psycopg.connect(
            conninfo, autocommit=True, connect_timeout=settings.database_connect_timeout_s
        )
    except psycopg.OperationalError as exc:
        raise unavailable(settings, exc) from exc
