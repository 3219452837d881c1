"""Helpers for tests that need a Database with settings of their own."""

from __future__ import annotations

from typing import Any

import psycopg

from shopdb import Settings


def with_settings(settings: Settings, **changes: Any) -> Settings:
    """A copy of ``settings`` with some fields changed (validated again)."""
    values = {name: getattr(settings, name) for name in type(settings).model_fields}
    values.update(changes)
    return Settings(**values)


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
