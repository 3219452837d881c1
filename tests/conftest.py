"""Test databases on a real PostgreSQL.

A migrated template database is built once per session (pytest-postgresql).

- ``tx`` (the default for repository tests): a Transaction on one copy of it shared by the
  session, rolled back at the end of the test (~0.2 ms), so tests never see each other's rows.
- ``db``: an open Database on the test's own copy (CREATE DATABASE ... TEMPLATE, ~0.15 s), for
  tests that need several connections: concurrency, pools, killed backends, commits.
- ``empty_url``: an empty database for migration tests.
- ``api``: which API ``db`` and ``tx`` are: "sync" here; tests/repositories and tests/customer
  run every test on both ("sync", "async": an AsyncDatabase behind the sync API's face,
  tests/support/async_proxy.py).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from pytest_postgresql import factories

from shopdb import AsyncDatabase, Database, Settings, Transaction, migrations
from shopdb.testing import NoServer, Server, choose_server, scratch_database, url_of
from tests.support.async_proxy import EventLoopThread, blocking, event_loop_thread

try:
    SERVER: Server | None = choose_server(os.environ)
    SERVER_ERROR = ""
except NoServer as exc:
    SERVER, SERVER_ERROR = None, str(exc)

DBNAME = f"shopdb_test_{os.getpid()}"
TEST_API_KEY_PEPPER = "test-api-key-pepper-0123456789abcdef"
# TWO_FACTOR_KEY of the tests: key id "t1", 32 bytes in base64 (a test key, nothing secret).
TEST_TWO_FACTOR_KEY = "t1:" + "dGVzdC10d28tZmFjdG9yLWtleS0wMTIzNDU2Nzg5YWI="


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--through-pgbouncer",
        action="store_true",
        help="every Database of the db and tx fixtures connects through a PgBouncer in "
        "transaction mode started for the run (DATABASE_POOLER=pgbouncer-transaction)",
    )


def pytest_configure(config: pytest.Config) -> None:
    if SERVER is None:
        raise pytest.UsageError(SERVER_ERROR)
    config.addinivalue_line(
        "markers", "direct_only: needs a session of its own on the server (not behind PgBouncer)"
    )


@pytest.fixture(scope="session")
def pooler_port(request: pytest.FixtureRequest) -> Iterator[int | None]:
    """The port of the run's PgBouncer (--through-pgbouncer), else None."""
    if not request.config.getoption("--through-pgbouncer") or SERVER is None:
        yield None
        return
    from shopdb.testing.pgbouncer import pgbouncer

    with pgbouncer(SERVER.host, SERVER.port) as port:
        yield port


def _connection(url: str, pooler_port: int | None) -> dict[str, Any]:
    """The URL settings of a test's Database: ``url``, or the pooler in front of it."""
    if pooler_port is None:
        return {"database_url": url}
    from shopdb.testing.pgbouncer import through

    return {
        "database_url": through(url, pooler_port),
        "database_direct_url": url,
        "database_pooler": "pgbouncer-transaction",
    }


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test marked ``sync_only`` (it patches or subclasses the sync modules themselves)
    runs on the sync API only where the suite runs on both; behind PgBouncer
    (--through-pgbouncer) a ``direct_only`` test is skipped."""
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        params = getattr(item, "callspec", None)
        on_async = params is not None and params.params.get("api") == "async"
        (dropped if on_async and item.get_closest_marker("sync_only") else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
    if config.getoption("--through-pgbouncer"):
        skip = pytest.mark.skip(reason="needs a direct server session, not a transaction pooler")
        for item in items:
            if "direct_only" in item.keywords:
                item.add_marker(skip)


def _migrate_template(**conn: Any) -> None:
    password = conn.get("password")
    auth = conn["user"] if not password else f"{conn['user']}:{password}"
    url = f"postgresql://{auth}@{conn['host']}:{conn['port']}/{conn['dbname']}"
    migrations.apply(Settings(database_url=url))


postgresql_server: Any
if SERVER is not None and SERVER.mode == "proc":
    postgresql_server = factories.postgresql_proc(
        executable=shutil.which("pg_ctl"), dbname=DBNAME, load=[_migrate_template]
    )
elif SERVER is not None:
    postgresql_server = factories.postgresql_noproc(
        host=SERVER.host,
        port=SERVER.port,
        user=SERVER.user,
        password=SERVER.password,
        dbname=DBNAME,
        load=[_migrate_template],
    )

postgresql = factories.postgresql("postgresql_server", dbname=DBNAME)


@pytest.fixture
def db_url(postgresql: psycopg.Connection[Any]) -> str:
    """The URL of this test's own migrated database."""
    return url_of(postgresql.info)


@pytest.fixture
def settings(db_url: str, pooler_port: int | None) -> Settings:
    """Settings for this test's database: a small pool, the default thresholds."""
    return Settings(
        **_connection(db_url, pooler_port),
        database_pool_min=1,
        database_pool_max=4,
        database_pool_timeout_ms=2000,
        database_application_name=f"shopdb-test-{uuid4().hex[:8]}",
        cursor_secret="test-cursor-secret-0123456789abcdef",
        api_key_pepper=TEST_API_KEY_PEPPER,
        two_factor_key=TEST_TWO_FACTOR_KEY,
    )


@pytest.fixture
def api() -> str:
    """Which API ``db`` and ``tx`` are (parametrized over both where the suite runs twice)."""
    return "sync"


@pytest.fixture(scope="session")
def loop_thread() -> Iterator[EventLoopThread]:
    """The event loop the async side of the suite runs on (a background thread)."""
    with event_loop_thread() as thread:
        yield thread


@pytest.fixture
def db(settings: Settings, api: str, request: pytest.FixtureRequest) -> Iterator[Database]:
    """An open Database on this test's own migrated database (an AsyncDatabase behind the
    sync API's face when ``api`` is "async")."""
    if api == "async":
        loop: EventLoopThread = request.getfixturevalue("loop_thread")
        adb = AsyncDatabase(settings)
        loop.run(adb.open())
        try:
            yield blocking(adb, loop)
        finally:
            loop.run(adb.close())
        return
    with Database(settings) as database:
        yield database


class _RollBack(Exception):
    """Raised at the end of a ``tx`` test so that its transaction leaves nothing behind."""


@pytest.fixture(scope="session")
def shared_db(postgresql_server: Any, pooler_port: int | None) -> Iterator[Database]:
    """An open Database on one migrated copy shared by the session; only ``tx`` writes to it,
    always inside a transaction that is rolled back."""
    template = postgresql_server.template_dbname
    with scratch_database(postgresql_server, "shopdb_shared", template=template) as url:
        shared = Settings(
            **_connection(url, pooler_port),
            database_pool_min=1,
            database_pool_max=4,
            database_pool_timeout_ms=2000,
            database_application_name="shopdb-test-shared",
            cursor_secret="test-cursor-secret-0123456789abcdef",
            api_key_pepper=TEST_API_KEY_PEPPER,
            two_factor_key=TEST_TWO_FACTOR_KEY,
        )
        with Database(shared) as database:
            yield database


@pytest.fixture(scope="session")
def shared_adb(shared_db: Database, loop_thread: EventLoopThread) -> Iterator[AsyncDatabase]:
    """An AsyncDatabase on the shared copy (the async side of ``tx``)."""
    adb = AsyncDatabase(shared_db.settings)
    # One timer for both: ``shared_db.capture_queries()`` sees the queries of either API.
    adb.timer = adb._pool_runner._timer = shared_db.timer
    loop_thread.run(adb.open())
    try:
        yield adb
    finally:
        loop_thread.run(adb.close())


@pytest.fixture
def tx(api: str, request: pytest.FixtureRequest) -> Iterator[Transaction]:
    """A transaction on the shared database, rolled back after the test whatever happens."""
    if api == "async":
        loop: EventLoopThread = request.getfixturevalue("loop_thread")
        shared: Any = blocking(request.getfixturevalue("shared_adb"), loop)
    else:
        shared = request.getfixturevalue("shared_db")
    try:
        with shared.transaction() as transaction:
            yield transaction
            raise _RollBack
    except _RollBack:
        pass


@pytest.fixture
def empty_url(postgresql_server: Any) -> Iterator[str]:
    """The URL of a fresh database with nothing in it (dropped after the test)."""
    with scratch_database(postgresql_server, "shopdb_empty") as url:
        yield url


_RAN_ON_WORKERS: set[str] = set()


def _queries_run_here() -> set[str]:
    from prometheus_client import REGISTRY

    return {
        sample.labels["query"]
        for metric in REGISTRY.collect()
        if metric.name == "shopdb_query_duration_seconds"
        for sample in metric.samples
        if sample.name.endswith("_count") and sample.value > 0
    }


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """Under pytest-xdist: collect the queries each worker ran."""
    _RAN_ON_WORKERS.update(getattr(node, "workeroutput", {}).get("shopdb_queries_ran", ()))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """With SHOPDB_CHECK_QUERY_COVERAGE set (make test), fail if some named query never ran
    (under pytest-xdist each worker hands its queries to the controller, which judges)."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["shopdb_queries_ran"] = sorted(_queries_run_here())
        return
    if not os.environ.get("SHOPDB_CHECK_QUERY_COVERAGE") or exitstatus != 0:
        return
    from shopdb.core.queries import load_queries, tools_sql_dir

    ran = _queries_run_here() | _RAN_ON_WORKERS
    namespaces = [*load_queries().values(), *load_queries(tools_sql_dir()).values()]
    every = {query.name for ns in namespaces for query in ns.values()}
    missing = sorted(every - ran)
    if missing:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"named queries that no test ran: {', '.join(missing)}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture
def demo_db_url(postgresql_server: Any) -> Iterator[str]:
    """The URL of an empty database named as a demo database (shopdb_demo_...), which the
    demo may empty and fill; dropped after the test."""
    with scratch_database(postgresql_server, "shopdb_demo_test") as url:
        yield url
