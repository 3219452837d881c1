"""Run by tests/test_packaging.py, as ``python -I wheel_smoke.py URL``, with the interpreter of
a fresh virtualenv into which pip installed shopdb's wheel and resolved its dependencies.

Given the URL of an empty database, it checks that the installed package works on its own:

- shopdb and each of its dependencies are imported from that virtualenv (no source checkout,
  no other environment), psycopg with its binary implementation (installed with the
  ``binary`` and ``cli`` extras: shopdb.demo, below, needs the latter);
- ``shopdb.migrations.apply`` applies every migration shipped in the wheel, and ``status``
  then reports each one applied;
- the users slice runs through its public repository methods (``Database``, ``db.users``),
  and ``db.health()`` and ``shopdb.schema_doc.generate`` run;
- every named query of every shipped ``sql/*.sql`` file is prepared by the server and
  described (``describe_prepared``) without being run: its parameters are the declared ones
  and a query returning rows names its columns (running queries with made-up values would
  break on the first insert with a foreign key). The one script,
  ``admin.create_demo_database`` (``CREATE DATABASE``, which cannot run in a transaction),
  runs through ``shopdb.demo.ensure_demo_database``, which
  creates ``shopdb_demo`` on that server when it is missing, and once more directly, where
  the server refuses it as a duplicate (42P04) because the database now exists.

It prints one line per query and ends with ``described N named queries`` and ``wheel ok``.
"""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path
from uuid import UUID

import psycopg
from aiosql.types import SQLOperationType

from shopdb import Database, Settings, migrations, schema_doc
from shopdb.core.queries import load_queries, migrations_dir, sql_dir, tools_sql_dir
from shopdb.demo import ensure_demo_database
from shopdb.models import NewUser, UserPatch, UserStatus

HASH = "$2b$12$" + "w" * 53
SCRIPTS_RUN_ELSEWHERE = {"admin.create_demo_database"}
_NO_ROWS = {SQLOperationType.INSERT_UPDATE_DELETE, SQLOperationType.SCRIPT}


def check_environment() -> None:
    """shopdb and its dependencies come from this virtualenv, psycopg in its binary form."""
    prefix = Path(sys.prefix).resolve()
    assert prefix != Path(sys.base_prefix).resolve(), "not running in a virtualenv"
    for name in ("shopdb", "psycopg", "psycopg_pool", "aiosql", "yoyo", "pydantic", "tenacity"):
        module = importlib.import_module(name)
        path = Path(module.__file__ or "").resolve()
        assert path.is_relative_to(prefix) and "site-packages" in path.parts, (name, path)
    for folder in (sql_dir(), migrations_dir()):
        assert folder.resolve().is_relative_to(prefix), folder
    assert psycopg.pq.__impl__ == "binary", psycopg.pq.__impl__


def migrate(settings: Settings) -> None:
    """Apply every shipped migration to the empty database."""
    shipped = sorted(
        p.name.removesuffix(".sql")
        for p in migrations_dir().glob("*.sql")
        if not p.name.endswith(".rollback.sql")
    )
    applied = migrations.apply(settings)
    assert applied == shipped, (applied, shipped)
    states = migrations.status(settings)
    assert [(s.id, s.applied_at is not None) for s in states] == [(m, True) for m in shipped]
    print("applied", ", ".join(applied))


def users_slice(settings: Settings) -> tuple[UUID, str]:
    """Every public method of the users repository; returns the id and email of a live user."""
    with Database(settings) as db:
        user = db.users.create(NewUser(email="Wheel@Example.com", password_hash=HASH))
        assert db.users.get(user.id) == user
        assert db.users.find_by_email("wheel@example.com") == user
        assert db.users.email_exists("WHEEL@example.com")
        changed = db.users.update(user.id, UserPatch(first_name="Wheel", phone="+441234567890"))
        assert (changed.first_name, changed.phone) == ("Wheel", "+441234567890")
        assert db.users.record_failed_login(user.id).failed_login_count == 1
        assert db.users.record_successful_login(user.id).failed_login_count == 0
        credentials = db.users.get_credentials("wheel@example.com")
        assert credentials is not None and credentials.id == user.id
        assert [u.id for u in db.users.list_users(limit=5).items] == [user.id]
        assert [u.id for u in db.users.list_users(status=UserStatus.ACTIVE).items] == [user.id]
        assert db.users.count() == 1 and db.users.count(status=UserStatus.SUSPENDED) == 0
        other = db.users.create(NewUser(email="gone@example.com", password_hash=HASH))
        db.users.soft_delete(other.id)
        assert db.users.get_including_deleted(other.id).status == UserStatus.DELETED
        assert db.users.restore(other.id).status == UserStatus.ACTIVE
        assert db.health().ok
    assert "`users`" in schema_doc.generate(settings)
    return user.id, user.email


def demo_database(url: str) -> None:
    """admin.create_demo_database through its public function, then directly (a duplicate)."""
    demo_url = url.rsplit("/", 1)[0] + "/shopdb_demo"
    ensure_demo_database(demo_url)
    with psycopg.connect(demo_url):
        pass
    script = load_queries(tools_sql_dir())["admin"]["create_demo_database"]
    with psycopg.connect(url, autocommit=True) as conn:
        try:
            conn.execute(script.sql)
        except psycopg.errors.DuplicateDatabase:
            print("admin.create_demo_database(): shopdb_demo is there; once more: 42P04")
        else:
            raise AssertionError("CREATE DATABASE shopdb_demo ran twice")


def describe_every_query(url: str) -> int:
    """Prepare every named query on the server and describe it, without running it: the
    parameters it uses are the ones it declares, and a query that returns rows names its
    columns. Returns how many were described."""
    described_count = 0
    with psycopg.connect(url, autocommit=True) as conn:
        for namespace in (*load_queries().values(), *load_queries(tools_sql_dir()).values()):
            for query in namespace.values():
                if query.name in SCRIPTS_RUN_ELSEWHERE:
                    described_count += 1
                    continue
                names = list(dict.fromkeys(re.findall(r"%\((\w+)\)s", query.sql)))
                assert set(names) == set(query.parameters), (query.name, names, query.parameters)
                statement = query.sql
                for number, name in enumerate(names, start=1):
                    statement = statement.replace(f"%({name})s", f"${number}")
                prepared = conn.pgconn.prepare(b"", statement.encode())
                assert prepared.status == psycopg.pq.ExecStatus.COMMAND_OK, (
                    query.name,
                    prepared.error_message,
                )
                described = conn.pgconn.describe_prepared(b"")
                assert described.nparams == len(names), (query.name, described.nparams, names)
                columns = [described.fname(i) for i in range(described.nfields)]
                # `!` counts rows; a `#` is a script or a COPY ... FROM STDIN (the seeds' bulk path)
                returns_rows = query.operation not in _NO_ROWS
                assert columns or not returns_rows, f"{query.name}: returns no columns"
                print(f"{query.name}({', '.join(names)}): {len(columns)} columns")
                described_count += 1
    return described_count


def main(url: str) -> None:
    check_environment()
    settings = Settings(database_url=url, database_pool_min=1, database_pool_max=2)
    migrate(settings)
    users_slice(settings)
    demo_database(url)
    described = describe_every_query(url)
    every = (*load_queries().values(), *load_queries(tools_sql_dir()).values())
    total = sum(len(namespace) for namespace in every)
    assert described == total, (described, total)
    print(f"described {described} named queries")
    print("wheel ok")


if __name__ == "__main__":
    main(sys.argv[1])
