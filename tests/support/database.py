"""Helpers for tests that need a Database with settings of their own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import uuid4

import psycopg
from pytest_postgresql.janitor import DatabaseJanitor

from shopdb import Settings


def with_settings(settings: Settings, **changes: Any) -> Settings:
    """A copy of ``settings`` with some fields changed (validated again)."""
    values = {name: getattr(settings, name) for name in type(settings).model_fields}
    values.update(changes)
    return Settings(**values)


def on_local_port(settings: Settings, port: int, **changes: Any) -> Settings:
    """``settings`` pointed at 127.0.0.1:``port`` (a TcpProxy, or nothing), same database."""
    head, tail = settings.database_url.get_secret_value().rsplit("@", 1)
    url = f"{head}@127.0.0.1:{port}/{tail.split('/', 1)[1]}"
    return with_settings(settings, database_url=url, **changes)


def backend_pids(admin: psycopg.Connection[Any], application_name: str) -> set[int]:
    """The server pids of the connections opened under ``application_name``."""
    rows = admin.execute(
        "SELECT pid FROM pg_stat_activity WHERE application_name = %s", [application_name]
    ).fetchall()
    return {row[0] for row in rows}


def terminate(admin: psycopg.Connection[Any], application_name: str) -> int:
    """pg_terminate_backend every connection opened under ``application_name``."""
    rows = admin.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
        [application_name],
    ).fetchall()
    return len(rows)


def url_of(info: Any, dbname: str | None = None) -> str:
    """The URL of a connection's (or server's) database, or of another one on that server."""
    auth = info.user if not info.password else f"{info.user}:{info.password}"
    return f"postgresql://{auth}@{info.host}:{info.port}/{dbname or info.dbname}"


@contextmanager
def scratch_database(server: Any, prefix: str, *, template: str | None = None) -> Iterator[str]:
    """A new database on ``server`` (empty, or a copy of ``template``), dropped afterwards."""
    name = f"{prefix}_{uuid4().hex[:12]}"
    with DatabaseJanitor(
        user=server.user,
        host=server.host,
        port=server.port,
        dbname=name,
        template_dbname=template,
        password=server.password or None,
        maintenance_dbname=getattr(server, "maintenance_dbname", "postgres"),
    ):
        yield url_of(server, name)
