"""The Database every benchmark suite opens: default pool settings, its own application name."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from shopdb import Database, Settings


@contextmanager
def bench_database(url: str, application_name: str) -> Iterator[Database]:
    """An open Database on ``url`` (autocommit, prepared statements), closed on exit."""
    settings = Settings(
        database_url=url,
        database_application_name=application_name,
        cursor_secret="bench-cursor-secret",
    )
    with Database(settings) as database:
        yield database
