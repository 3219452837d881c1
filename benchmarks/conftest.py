"""One migrated, seeded database for the whole benchmark session, on a real PostgreSQL.

The server is chosen exactly as the tests choose it (shopdb.testing.choose_server):
SHOPDB_TEST_DATABASE_URL or DATABASE_URL, else the local server at 127.0.0.1:5432, else a
throwaway cluster started by pytest-postgresql. On it the session creates
``shopdb_bench_<pid>``, applies the migrations, seeds SEED_USERS users, benchmarks, and drops
the database at the end. After the run, the repository/raw ratio of every group is printed
under pytest-benchmark's table and added to its JSON (``--benchmark-json``), with the
hand-out path ShopPool ran (``lifo``, or ``psycopg_pool``'s own on a psycopg_pool it was not
written for: figures of the two are not comparable).
"""

from __future__ import annotations

import os
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest
from psycopg.rows import class_row

from benchmarks.databases import HANDOUTS, bench_database, handout_summary
from benchmarks.paired import OTHER_ROUNDS
from benchmarks.ratios import TARGET, ratios
from shopdb import Database, Settings, migrations
from shopdb.core.queries import load_queries
from shopdb.models.users import User
from shopdb.testing import NoServer, Server, choose_server, scratch_database

SEED_USERS = 10_000
SAMPLE_SIZE = 1_000
PASSWORD_HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2VlZHNlZWQ$YmVuY2htYXJraGFzaA"

try:
    SERVER: Server | None = choose_server(os.environ)
    SERVER_ERROR = ""
except NoServer as exc:
    SERVER, SERVER_ERROR = None, str(exc)


def pytest_configure(config: pytest.Config) -> None:
    if SERVER is None:
        raise pytest.UsageError(SERVER_ERROR)


@dataclass(frozen=True, slots=True)
class Sample:
    """Seeded users the reads look up, in a fixed random order (the same for every path)."""

    ids: list[UUID]
    emails: list[str]


@pytest.fixture(scope="session")
def bench_server(request: pytest.FixtureRequest) -> Server:
    """The server chosen like the tests' one; a pytest-postgresql cluster when there is none."""
    assert SERVER is not None
    if SERVER.mode != "proc":
        return SERVER
    proc = request.getfixturevalue("postgresql_proc")
    return Server("proc", proc.host, int(proc.port), proc.user, proc.password or None)


@pytest.fixture(scope="session")
def bench_url(bench_server: Server) -> Iterator[str]:
    """A migrated database of its own for this session, dropped at the end."""
    with scratch_database(bench_server, "shopdb_bench") as url:
        migrations.apply(Settings(database_url=url))
        yield url


@pytest.fixture(scope="session")
def db(bench_url: str) -> Iterator[Database]:
    """An open Database with the default pool settings (autocommit, prepared statements)."""
    with bench_database(bench_url, "shopdb-bench") as database:
        yield database


@pytest.fixture(scope="session")
def sample(db: Database) -> Sample:
    """Seed SEED_USERS users; the reads look up SAMPLE_SIZE of them, in a fixed random order."""
    users = _seed(db, SEED_USERS)
    chosen = random.Random(20240601).sample(users, SAMPLE_SIZE)
    return Sample([user.id for user in chosen], [user.email for user in chosen])


def _seed(db: Database, count: int) -> list[User]:
    # users.create's own SQL in one pipelined executemany: 10,000 users in 1.0 s here, against
    # 2.4 s for tx.users.create in a loop; the seed is set-up, not what is measured.
    create = load_queries()["users"]["create"]
    rows = [
        {
            "email": f"seed-{i:05d}@bench.example",
            "password_hash": PASSWORD_HASH,
            "first_name": "Seed",
            "last_name": f"User {i}",
            "phone": None,
        }
        for i in range(count)
    ]
    users: list[User] = []
    with (
        db.pool.connection() as conn,
        conn.transaction(),
        conn.cursor(row_factory=class_row(User)) as cur,
    ):
        cur.executemany(create.sql, rows, returning=True)
        while True:
            user = cur.fetchone()
            assert user is not None
            users.append(user)
            if not cur.nextset():
                break
    return users


def _benchmarks(config: pytest.Config) -> list[Any]:
    session = getattr(config, "_benchmarksession", None)
    return list(getattr(session, "benchmarks", None) or [])


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """After pytest-benchmark's table: repository/raw median per call, per group."""
    from benchmarks.test_speed import SUMMARY

    if HANDOUTS:
        terminalreporter.section("connection pool")
        terminalreporter.write_line(handout_summary(), red="psycopg_pool" in HANDOUTS)
    if SUMMARY:
        terminalreporter.section("issue 8 speed goals: users.get side by side")
        for line in SUMMARY:
            terminalreporter.write_line(line, red="OVER" in line or "UNDER" in line)
    async_speed = sys.modules.get("benchmarks.test_async_speed")
    if async_speed is not None and async_speed.ASYNC_SUMMARY:
        terminalreporter.section("issue 18 async speed goals: users.get side by side")
        for line in async_speed.ASYNC_SUMMARY:
            terminalreporter.write_line(
                line, red="OVER" in line or "UNDER" in line or "SLOW" in line
            )
    found = ratios(_benchmarks(config), OTHER_ROUNDS)
    if not found:
        return
    terminalreporter.section(f"repository / raw psycopg, median per call (target <= {TARGET}x)")
    for ratio in found:
        terminalreporter.write_line(ratio.line(), red=not ratio.within_target)


def pytest_benchmark_update_json(
    config: pytest.Config, benchmarks: list[Any], output_json: dict[str, Any]
) -> None:
    """Record the ratios, and the pool's hand-out path, in the JSON of ``--benchmark-json``."""
    import psycopg_pool

    found = ratios(benchmarks, OTHER_ROUNDS)
    output_json["shopdb_ratios"] = [ratio.as_dict() for ratio in found]
    output_json["shopdb_pool"] = {
        "handout": sorted(HANDOUTS),
        "psycopg_pool": psycopg_pool.__version__,
    }
