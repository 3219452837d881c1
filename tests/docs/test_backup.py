"""docs/backup.md, run as written: a migrated database with rows in every table is dumped
with pg_dump -Fc and restored with pg_restore into a new database, which then has the same
schema, the same rows (counts and checksums of every table) and every migration applied."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from pglast import prettify
from psycopg import sql

from shopdb import Settings, migrations
from shopdb.testing import url_of
from tests.docs.fill import fill_every_table
from tests.docs.shell import run_documented
from tests.schema.catalog import Snapshot, snapshot
from tests.schema.rows import Rows

DUMP = [
    "export DATABASE_URL=postgresql://shop:secret@db.internal:5432/shop",
    "export BACKUP_FILE=shop.dump",
    'pg_dump --format=custom --file="$BACKUP_FILE" "$DATABASE_URL"',
    'pg_restore --list "$BACKUP_FILE"',
]
RESTORE = [
    "export RESTORE_DB=shop_restored",
    "export RESTORE_URL=postgresql://shop:secret@db.internal:5432/shop_restored",
    'createdb --maintenance-db="$DATABASE_URL" "$RESTORE_DB"',
    'pg_restore --exit-on-error --single-transaction --no-owner --dbname="$RESTORE_URL" '
    '"$BACKUP_FILE"',
    'DATABASE_URL="$RESTORE_URL" shopdb status',
    'DATABASE_URL="$RESTORE_URL" shopdb check',
]


def _tables(conn: psycopg.Connection[Any]) -> list[str]:
    """Every table holding rows: ordinary tables and partitions (not partitioned parents)."""
    rows = conn.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 1"
    ).fetchall()
    return [row[0] for row in rows]


def _contents(url: str) -> dict[str, tuple[int, str]]:
    """Each table's row count and an md5 of its rows as text, in a fixed order."""
    with psycopg.connect(url) as conn:
        contents = {}
        for table in _tables(conn):
            statement = sql.SQL(
                "SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), ''))"
                " FROM {} AS t"
            ).format(sql.Identifier(table))
            row = conn.execute(statement).fetchone()
            assert row is not None
            contents[table] = (row[0], row[1])
    return contents


def _schema(url: str) -> Snapshot:
    """The catalog snapshot of the schema tests, CHECK expressions normalized by a parse:
    the server prints a restored ``a BETWEEN x AND y AND b`` with fewer parentheses."""
    with psycopg.connect(url) as conn:
        snap = snapshot(conn)
    snap["constraints"] = [
        (*row[:3], _normalized_check(row[3]), *row[4:]) for row in snap["constraints"]
    ]
    return snap


def _normalized_check(definition: str) -> str:
    check = re.fullmatch(r"CHECK \((?P<expr>.*)\)(?P<rest>( NOT VALID)?)", definition, re.DOTALL)
    if check is None:
        return definition
    return prettify(f"SELECT WHERE ({check['expr']})") + check["rest"]


@pytest.fixture
def restore_db(postgresql_server: Any) -> Iterator[str]:
    """The name of the database the guide's createdb makes; dropped after the test."""
    name = f"shopdb_restored_{uuid4().hex[:12]}"
    yield name
    with psycopg.connect(url_of(postgresql_server, "postgres"), autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def test_a_dump_restores_into_a_new_database_with_the_same_schema_rows_and_migrations(
    empty_url: str, restore_db: str, postgresql_server: Any, tmp_path: Path
) -> None:
    migrations.apply(Settings(database_url=empty_url))
    fill_every_table(empty_url)
    restore_url = url_of(postgresql_server, restore_db)
    env = {
        "DATABASE_URL": empty_url,
        "BACKUP_FILE": str(tmp_path / "shop.dump"),
        "RESTORE_DB": restore_db,
        "RESTORE_URL": restore_url,
    }

    listing = [run_documented(command, env).stdout for command in DUMP][-1]
    *_, status, check = [run_documented(command, env).stdout for command in RESTORE]

    assert "TABLE DATA public orders" in listing
    assert "every named query is prepared" in check
    assert _schema(restore_url) == _schema(empty_url)
    source, restored = _contents(empty_url), _contents(restore_url)
    partitioned = ("audit_logs", "security_events")  # their rows are in their partitions
    assert [t for t in Rows.TABLES if t not in partitioned and not source[t][0]] == []
    assert restored == source
    ids = [m.id for m in migrations.status(Settings(database_url=empty_url))]
    assert [line.split()[:2] for line in status.splitlines()] == [["applied", i] for i in ids]
    restored_states = migrations.status(Settings(database_url=restore_url))
    assert [(m.id, m.applied) for m in restored_states] == [(i, True) for i in ids]
