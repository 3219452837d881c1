"""Databases of their own for tests and benchmarks, and the URLs and Settings that lead there."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import uuid4

from shopdb.settings import Settings


def with_settings(settings: Settings, **changes: Any) -> Settings:
    """A copy of ``settings`` with some fields changed (validated again)."""
    values = {name: getattr(settings, name) for name in type(settings).model_fields}
    values.update(changes)
    return Settings(**values)


def url_of(info: Any, dbname: str | None = None) -> str:
    """The URL of a connection's (or server's) database, or of another one on that server."""
    auth = info.user if not info.password else f"{info.user}:{info.password}"
    return f"postgresql://{auth}@{info.host}:{info.port}/{dbname or info.dbname}"


@contextmanager
def scratch_database(server: Any, prefix: str, *, template: str | None = None) -> Iterator[str]:
    """A new database on ``server`` (empty, or a copy of ``template``), dropped afterwards.

    ``server`` is anything with user, host, port and password (a ``Server``, or
    pytest-postgresql's executor). pytest-postgresql's janitor does the work (it disconnects
    whoever is on the template before the copy and on the database before the drop); it is a
    test dependency, not the library's, so it is imported here and not at the top.
    """
    from pytest_postgresql.janitor import DatabaseJanitor

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
