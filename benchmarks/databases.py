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
        cursor_secret="bench-cursor-secret-0123456789abcdef",
    )
    with Database(settings) as database:
        HANDOUTS.add(database.pool.handout)
        yield database


# The hand-out path ShopPool chose for each benchmark database ("lifo", or "psycopg_pool"
# when the installed psycopg_pool is not the one it was written for): the figures of the two
# are not comparable, so the run says which it measured (conftest.py prints and records it).
HANDOUTS: set[str] = set()


def handout_summary() -> str:
    """Which hand-out the benchmark databases' pools used, with psycopg_pool's version."""
    import psycopg_pool

    paths = ", ".join(sorted(HANDOUTS)) or "none opened"
    return f"ShopPool hand-out: {paths} (psycopg_pool {psycopg_pool.__version__})"
