"""Run by tests/test_packaging.py, as ``python -I wheel_smoke.py URL``, with the interpreter of
a fresh virtualenv into which pip installed shopdb's wheel and resolved its dependencies.

Given the URL of an empty database, it checks that the installed package works on its own:

- shopdb and each of its dependencies are imported from that virtualenv (no source checkout,
  no other environment), psycopg with its binary implementation (the ``binary`` extra);
- ``shopdb.migrations.apply`` applies every migration shipped in the wheel, and ``status``
  then reports each one applied;
- the users slice runs through its public repository methods (``Database``, ``db.users``),
  and ``db.health()`` and ``shopdb.schema_doc.generate`` run;
- every named query of every shipped ``sql/*.sql`` file is EXECUTED: the server prepares it
  and reports the type of each parameter (``describe_prepared``), then the query runs through
  its aiosql function with a sample value of that type, inside a transaction that is rolled
  back so the next query sees the same rows. A type without a sample value, or any error,
  fails the run. The one script, ``admin.create_demo_database`` (``CREATE DATABASE``, which
  cannot run in a transaction), runs through ``shopdb.demo.ensure_demo_database``, which
  creates ``shopdb_demo`` on that server when it is missing, and once more directly, where
  the server refuses it as a duplicate (42P04) because the database now exists.

It prints one line per query and ends with ``executed N named queries`` and ``wheel ok``.
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import psycopg
from psycopg.types.json import Jsonb

from shopdb import Database, Settings, migrations, schema_doc
from shopdb.core.queries import Query, load_queries, migrations_dir, sql_dir
from shopdb.demo import ensure_demo_database
from shopdb.models import NewUser, UserPatch, UserStatus

HASH = "$2b$12$" + "w" * 53
SCRIPTS_RUN_ELSEWHERE = {"admin.create_demo_database"}


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
    script = load_queries()["admin"]["create_demo_database"]
    with psycopg.connect(url, autocommit=True) as conn:
        try:
            script.fn(conn)
        except psycopg.errors.DuplicateDatabase:
            print("admin.create_demo_database(): shopdb_demo is there; once more: 42P04")
        else:
            raise AssertionError("CREATE DATABASE shopdb_demo ran twice")


def sample_values(user_id: UUID, email: str) -> Mapping[str, Callable[[str, Query], object]]:
    """A sample value for each parameter type, from the parameter's name where it matters."""

    def text(name: str, query: Query) -> object:
        if name == "email":
            inserting = re.match(r"\s*INSERT\b", query.sql, re.IGNORECASE)
            return f"wheel-{uuid4().hex[:8]}@example.com" if inserting else email
        named = {"password_hash": HASH, "phone": "+441234567890", "status": "ACTIVE"}
        return named.get(name, "Wheel")

    def integer(name: str, query: Query) -> object:
        return {"limit": 10, "max_failures": 5}.get(name, 1)

    return {
        "text": text,
        "varchar": text,
        "name": text,
        "uuid": lambda name, query: user_id,
        "bool": lambda name, query: True,
        "int2": integer,
        "int4": integer,
        "int8": integer,
        "float4": lambda name, query: 60.0,
        "float8": lambda name, query: 60.0,
        "numeric": lambda name, query: Decimal("1.00"),
        "timestamptz": lambda name, query: datetime.now(UTC),
        "jsonb": lambda name, query: Jsonb({}),
        "text[]": lambda name, query: ["wheel"],
    }


def parameter_types(conn: psycopg.Connection[Any], query: Query) -> dict[str, str]:
    """{parameter name: type name} of a named query, as the server infers them."""
    names = list(dict.fromkeys(re.findall(r"%\((\w+)\)s", query.sql)))
    statement = query.sql
    for number, name in enumerate(names, start=1):
        statement = statement.replace(f"%({name})s", f"${number}")
    prepared = conn.pgconn.prepare(b"", statement.encode())
    assert prepared.status == psycopg.pq.ExecStatus.COMMAND_OK, (query.name, prepared.error_message)
    described = conn.pgconn.describe_prepared(b"")
    assert described.nparams == len(names), (query.name, described.nparams, names)
    types = {}
    for number, name in enumerate(names):
        oid = described.param_type(number)
        info = conn.adapters.types.get(oid)  # an array's oid gives its element type's info
        types[name] = f"oid {oid}" if info is None else info.name + "[]" * (oid == info.array_oid)
    return types


def execute_every_query(url: str, user_id: UUID, email: str) -> int:
    """Run each named query with sample values of its parameter types; return how many ran."""
    samples = sample_values(user_id, email)
    executed = 0
    with psycopg.connect(url, autocommit=True) as describer, psycopg.connect(url) as conn:
        for namespace in load_queries().values():
            for query in namespace.values():
                if query.name in SCRIPTS_RUN_ELSEWHERE:
                    executed += 1
                    continue
                types = parameter_types(describer, query)
                missing = {n: t for n, t in types.items() if t not in samples}
                assert not missing, f"{query.name}: no sample value of type {missing}"
                params = {name: samples[t](name, query) for name, t in types.items()}
                with conn.transaction(force_rollback=True):
                    result = query.fn(conn, **params)
                    if isinstance(result, Iterator):
                        result = list(result)
                shown = f"{len(result)} rows" if isinstance(result, list) else type(result).__name__
                print(f"{query.name}({', '.join(f'{n} {t}' for n, t in types.items())}): {shown}")
                executed += 1
    return executed


def main(url: str) -> None:
    check_environment()
    settings = Settings(database_url=url, database_pool_min=1, database_pool_max=2)
    migrate(settings)
    user_id, email = users_slice(settings)
    demo_database(url)
    executed = execute_every_query(url, user_id, email)
    total = sum(len(namespace) for namespace in load_queries().values())
    assert executed == total, (executed, total)
    print(f"executed {executed} named queries")
    print("wheel ok")


if __name__ == "__main__":
    main(sys.argv[1])
