"""Migrations up, down and up again on an empty database, compared in the catalog.

- each migration's rollback restores the catalog snapshot taken before it, exactly;
- `shopdb migrate`, `shopdb rollback --count all`, `shopdb migrate` leave a pg_dump
  --schema-only identical to the first, and nothing of the project after the rollback;
- the non-transactional CONCURRENTLY migration rebuilds an INVALID index a failed run left.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner
from yoyo import get_backend, read_migrations

from shopdb import Settings, migrations
from shopdb.cli import main
from shopdb.core.queries import migrations_dir
from tests.schema.catalog import Snapshot, difference, is_empty, snapshot

IDS = [m.id for m in read_migrations(str(migrations_dir()))]


@pytest.fixture
def empty(empty_url: str) -> Iterator[psycopg.Connection[Any]]:
    """An autocommit connection to the empty database of ``empty_url``."""
    with psycopg.connect(empty_url, autocommit=True) as conn:
        yield conn


def apply_one(url: str, migration_id: str) -> None:
    """Apply one migration, under yoyo's lock (the test walks up one step at a time)."""
    every = read_migrations(str(migrations_dir()))
    backend = get_backend(migrations.yoyo_url(url))
    try:
        with backend.lock():
            backend.apply_one(next(m for m in every if m.id == migration_id))
    finally:
        backend.connection.close()


def same(before: Snapshot, after: Snapshot) -> bool:
    """Equal snapshots; on a difference, the assertion message shows only what differs."""
    assert difference(before, after) == {}
    return True


def test_each_rollback_restores_the_schema_from_before_its_migration(
    empty_url: str, empty: psycopg.Connection[Any]
) -> None:
    settings = Settings(database_url=empty_url)
    before = [snapshot(empty)]
    for migration_id in IDS:
        apply_one(empty_url, migration_id)
        before.append(snapshot(empty))
        assert before[-1] != before[-2], f"{migration_id} changed nothing"

    for step, migration_id in reversed(list(enumerate(IDS))):
        assert migrations.rollback(settings, count=1) == [migration_id]
        assert same(before[step], snapshot(empty)), migration_id

    assert is_empty(snapshot(empty))
    assert migrations.apply(settings) == IDS
    assert same(before[-1], snapshot(empty))


def schema_dump(url: str) -> str:
    """pg_dump --schema-only of the database, without the lines that differ run to run."""
    pg_dump = shutil.which("pg_dump")
    assert pg_dump, "pg_dump (PostgreSQL client tools) is needed for this test"
    result = subprocess.run(
        [pg_dump, "--schema-only", "--no-owner", "--no-privileges", url],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    # pg_dump >= 15.14 brackets its output with \restrict <random key> lines.
    return re.sub(r"^\\(un)?restrict .*$", "", result.stdout, flags=re.MULTILINE)


def project_dump(url: str) -> str:
    """The DDL statements of the dump, yoyo's bookkeeping tables left out."""
    pg_dump = shutil.which("pg_dump")
    assert pg_dump
    result = subprocess.run(
        [pg_dump, "--schema-only", "--no-owner", "--exclude-table=*yoyo*", url],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return "\n".join(
        line for line in result.stdout.splitlines() if re.match(r"(CREATE|ALTER|COMMENT) ", line)
    )


def test_migrate_rollback_all_migrate_leaves_an_identical_schema_dump(
    empty_url: str, empty: psycopg.Connection[Any]
) -> None:
    runner = CliRunner()
    env = {"DATABASE_URL": empty_url}

    first = runner.invoke(main, ["migrate"], env=env)
    assert first.exit_code == 0, first.output
    dumped = schema_dump(empty_url)

    down = runner.invoke(main, ["rollback", "--count", "all"], env=env)
    assert down.exit_code == 0, down.output
    assert down.output.split("\n")[:-1] == [f"rolled back {i}" for i in reversed(IDS)]
    assert is_empty(snapshot(empty))
    assert project_dump(empty_url) == ""

    again = runner.invoke(main, ["migrate"], env=env)
    assert again.exit_code == 0, again.output
    assert "CREATE TABLE public.orders" in dumped
    assert schema_dump(empty_url) == dumped


def test_the_concurrent_index_migration_rebuilds_an_invalid_index_left_behind(
    empty_url: str, empty: psycopg.Connection[Any]
) -> None:
    settings = Settings(database_url=empty_url)
    migrations.apply(settings)
    undone = migrations.rollback(settings, to="0010_audit")
    assert undone[-1] == "0011_users_deleted_at_index"
    empty.execute(
        """INSERT INTO users (email, password_hash)
           VALUES ('a@example.com', '$2b$12$aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'),
                  ('b@example.com', '$2b$12$aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa')"""
    )
    # A concurrent build that fails half way leaves its index behind, INVALID.
    with pytest.raises(psycopg.errors.UniqueViolation):
        empty.execute("CREATE UNIQUE INDEX CONCURRENTLY users_deleted_at_idx ON users ((1))")
    state = """SELECT indisvalid, pg_get_indexdef(indexrelid) FROM pg_index
                WHERE indexrelid = 'users_deleted_at_idx'::regclass"""
    assert empty.execute(state).fetchone() == (
        False,
        "CREATE UNIQUE INDEX users_deleted_at_idx ON public.users USING btree ((1))",
    )

    assert migrations.apply(settings)[0] == "0011_users_deleted_at_index"

    assert empty.execute(state).fetchone() == (
        True,
        "CREATE INDEX users_deleted_at_idx ON public.users USING btree (deleted_at) "
        "WHERE (deleted_at IS NOT NULL)",
    )
