"""Helpers for tests that watch or cut the connections of a Database (the shared ones,
databases and settings, are in shopdb.testing)."""

from __future__ import annotations

from typing import Any

import psycopg

from shopdb import Settings
from shopdb.testing import with_settings


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
