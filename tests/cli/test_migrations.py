"""`shopdb migrate / rollback / status / break-lock`, plain `yoyo` through yoyo.ini, and the lock.

Tests that apply from nothing take an empty database (``empty_url``); the others start from
a copy of the migrated template (``db_url``), which is five times quicker to get.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner, Result
from psycopg.conninfo import conninfo_to_dict
from yoyo import get_backend, read_migrations
from yoyo.connections import parse_uri

from shopdb import Settings, migrations
from shopdb.cli import main
from shopdb.core.queries import migrations_dir
from shopdb.testing.commands import run_shopdb

ROOT = Path(__file__).resolve().parents[2]
IDS = [m.id for m in read_migrations(str(migrations_dir()))]
BIN = Path(sys.executable).parent


def shopdb(url: str, *args: str) -> Result:
    """Run the `shopdb` command in-process against ``url``."""
    return CliRunner().invoke(main, list(args), env={"DATABASE_URL": url})


def applied(url: str) -> list[str]:
    """The ids yoyo recorded as applied, oldest first."""
    return [m.id for m in migrations.status(Settings(database_url=url)) if m.applied]


def test_migrate_applies_everything_once(empty_url: str) -> None:
    first = shopdb(empty_url, "migrate")
    second = shopdb(empty_url, "migrate")

    assert (first.exit_code, first.output) == (0, "".join(f"applied {i}\n" for i in IDS))
    assert (second.exit_code, second.output) == (0, "nothing to apply\n")
    assert applied(empty_url) == IDS


def test_status_lists_applied_migrations_with_their_date_and_pending_ones(db_url: str) -> None:
    shopdb(db_url, "rollback", "--count", "2")

    lines = shopdb(db_url, "status").output.splitlines()

    assert len(lines) == len(IDS)
    for line, id_ in zip(lines[:-2], IDS[:-2], strict=True):
        assert re.fullmatch(rf"applied  {id_} +\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d UTC", line)
    assert [line.split() for line in lines[-2:]] == [["pending", id_] for id_ in IDS[-2:]]


def test_rollback_takes_back_one_a_count_down_to_an_id_then_all(db_url: str) -> None:
    one = shopdb(db_url, "rollback")
    two = shopdb(db_url, "rollback", "--count", "2")
    to = shopdb(db_url, "rollback", "--to", IDS[2])
    assert applied(db_url) == IDS[:3]
    every = shopdb(db_url, "rollback", "--count", "all")
    none = shopdb(db_url, "rollback")

    assert one.output == f"rolled back {IDS[-1]}\n"
    assert two.output == f"rolled back {IDS[-2]}\nrolled back {IDS[-3]}\n"
    assert to.output == "".join(f"rolled back {i}\n" for i in reversed(IDS[3:-3]))
    assert every.output == "".join(f"rolled back {i}\n" for i in reversed(IDS[:3]))
    assert (none.exit_code, none.output) == (0, "nothing to roll back\n")
    assert applied(db_url) == []


def test_rollback_refuses_what_it_cannot_do_and_changes_nothing(db_url: str) -> None:
    count = shopdb(db_url, "rollback", "--count", "some")
    to = shopdb(db_url, "rollback", "--to", "0999_nothing")

    assert count.exit_code == 2
    assert "a number or 'all'" in count.output
    assert to.exit_code == 1
    assert "0999_nothing is not an applied migration" in to.output
    assert applied(db_url) == IDS


def test_a_held_lock_stops_migrate_with_a_clear_message(empty_url: str) -> None:
    backend = get_backend(migrations.yoyo_url(empty_url))
    try:
        with backend.lock():
            result = shopdb(empty_url, "migrate", "--lock-timeout", "0.5")
    finally:
        backend.connection.close()

    assert result.exit_code == 1
    assert "another migration run holds the lock" in result.output
    assert "shopdb break-lock" in result.output
    assert applied(empty_url) == []


def test_break_lock_removes_the_lock_a_killed_run_left(db_url: str) -> None:
    shopdb(db_url, "rollback")
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("INSERT INTO yoyo_lock (locked, ctime, pid) VALUES (1, now(), 999999)")

    stuck = shopdb(db_url, "migrate", "--lock-timeout", "0.2")
    broken = shopdb(db_url, "break-lock")
    unstuck = shopdb(db_url, "migrate")

    assert stuck.exit_code == 1
    assert "shopdb break-lock" in stuck.output
    assert (broken.exit_code, broken.output) == (0, "migration lock removed\n")
    assert (unstuck.exit_code, unstuck.output) == (0, f"applied {IDS[-1]}\n")


def test_two_concurrent_runs_cannot_both_apply(empty_url: str) -> None:
    results: list[subprocess.CompletedProcess[str]] = []
    runs = [
        threading.Thread(
            target=lambda: results.append(run_shopdb("migrate", database_url=empty_url))
        )
        for _ in range(2)
    ]
    for run in runs:
        run.start()
    for run in runs:
        run.join()

    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    outputs = sorted(r.stdout for r in results)
    assert outputs == ["".join(f"applied {i}\n" for i in IDS), "nothing to apply\n"]
    with psycopg.connect(empty_url) as conn:
        logged = conn.execute(
            "SELECT migration_id, count(*) FROM _yoyo_log WHERE operation = 'apply' "
            "GROUP BY migration_id ORDER BY migration_id"
        ).fetchall()
    assert logged == [(i, 1) for i in IDS]


def run_yoyo(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Plain `yoyo` from the project root, which reads yoyo.ini there."""
    yoyo = shutil.which("yoyo", path=str(BIN))
    assert yoyo, "yoyo-migrations is not installed in this environment"
    return subprocess.run(
        [yoyo, *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": migrations.yoyo_url(url)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_plain_yoyo_works_through_yoyo_ini_with_the_same_bookkeeping(empty_url: str) -> None:
    # The newest migration that a later one depends on (the graph branches: 0013 and 0015
    # both depend on 0012), and everything that depends on it, directly or not.
    target, taken = next((i, d) for i in reversed(IDS) if (d := dependents(i)))
    applied_by_yoyo = run_yoyo(empty_url, "apply")
    listed = run_yoyo(empty_url, "list")
    rolled_back = run_yoyo(empty_url, "rollback", "-r", target)

    assert applied_by_yoyo.returncode == 0, applied_by_yoyo.stderr
    assert all(re.search(rf"^A +{i} ", listed.stdout, re.MULTILINE) for i in IDS), listed.stdout
    assert rolled_back.returncode == 0, rolled_back.stderr
    # the -- depends: graph makes yoyo take the later migrations back with it
    back = [i for i in IDS if i == target or i in taken]
    assert applied(empty_url) == [i for i in IDS if i not in back]
    assert shopdb(empty_url, "migrate").output == "".join(f"applied {i}\n" for i in back)


def dependents(migration_id: str) -> set[str]:
    """The migrations that depend on ``migration_id``, directly or through others."""
    depends = {m.id: {d.id for d in m.depends} for m in read_migrations(str(migrations_dir()))}
    found: set[str] = set()
    grew = True
    while grew:
        more = {i for i, ds in depends.items() if ds & (found | {migration_id})} - found
        found |= more
        grew = bool(more)
    return found


def test_a_migration_failing_half_way_leaves_nothing_and_is_not_recorded(
    db_url: str, tmp_path: Path, monkeypatch: Any
) -> None:
    # A copy of the migrations whose newest one fails on its last statement.
    copy = Path(shutil.copytree(migrations_dir(), tmp_path / "migrations"))
    broken = copy / "0012_broken.sql"
    broken.write_text(
        "-- depends: 0011_users_deleted_at_index\nSET LOCAL lock_timeout = '5s';\n"
        "CREATE TABLE wishlists (id uuid PRIMARY KEY);\nSELECT 1 / 0;\n"
    )
    monkeypatch.setattr(migrations, "migrations_dir", lambda: copy)

    with pytest.raises(migrations.MigrationError, match="applying 0012_broken failed") as raised:
        migrations.apply(Settings(database_url=db_url))

    assert "division by zero (SQLSTATE 22012)" in str(raised.value)
    assert raised.value.sqlstate == "22012"
    assert raised.value.__cause__ is None and raised.value.__context__ is None

    assert applied(db_url) == IDS
    with psycopg.connect(db_url) as conn:
        assert conn.execute("SELECT to_regclass('wishlists')").fetchone() == (None,)
        assert conn.execute("SELECT count(*) FROM yoyo_lock").fetchone() == (0,)


def test_a_failing_migration_is_a_clear_message_from_the_command_not_a_traceback(
    db_url: str, tmp_path: Path, monkeypatch: Any
) -> None:
    copy = Path(shutil.copytree(migrations_dir(), tmp_path / "migrations"))
    (copy / "0012_broken.sql").write_text(
        "-- depends: 0011_users_deleted_at_index\nSET LOCAL lock_timeout = '5s';\nSELECT 1 / 0;\n"
    )
    monkeypatch.setattr(migrations, "migrations_dir", lambda: copy)

    result = shopdb(db_url, "migrate")

    assert result.exit_code == 1
    assert "Error: applying 0012_broken failed: division by zero" in result.output
    assert "Traceback" not in result.output


def test_rollback_refuses_count_and_to_together(db_url: str) -> None:
    result = shopdb(db_url, "rollback", "--count", "2", "--to", IDS[2])

    assert result.exit_code == 2
    assert "--count and --to cannot be used together" in result.output
    assert applied(db_url) == IDS


def yoyo_tables(url: str) -> list[str]:
    """yoyo's bookkeeping tables present in the database of ``url``."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT tablename FROM pg_tables WHERE tablename LIKE '%yoyo%' ORDER BY tablename"
        ).fetchall()
    return [row[0] for row in rows]


def test_status_of_a_database_never_migrated_lists_everything_pending_and_creates_nothing(
    empty_url: str,
) -> None:
    result = shopdb(empty_url, "status")

    assert result.exit_code == 0, result.output
    assert [line.split() for line in result.output.splitlines()] == [["pending", i] for i in IDS]
    assert yoyo_tables(empty_url) == []


def test_a_failing_non_transactional_migration_is_one_line_without_yoyo_traceback(
    db_url: str, tmp_path: Path
) -> None:
    # Not transactional: the CREATE is committed, the SELECT fails, and undoing the CREATE
    # (the paired rollback statement) fails too, which yoyo only logs, with a traceback.
    copy = Path(shutil.copytree(migrations_dir(), tmp_path / "migrations"))
    (copy / "0012_broken.sql").write_text(
        "-- transactional: false\n-- depends: 0011_users_deleted_at_index\n"
        "CREATE TABLE wishlists (id uuid PRIMARY KEY);\nSELECT 1 / 0;\n"
    )
    (copy / "0012_broken.rollback.sql").write_text("DROP TABLE no_such_table;\n")
    # A process of its own: under pytest, its log capture would swallow what yoyo logs.
    program = (
        "import pathlib, sys; from shopdb import migrations; from shopdb.cli import main; "
        f"migrations.migrations_dir = lambda: pathlib.Path({str(copy)!r}); "
        "sys.exit(main(['migrate']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", program],
        env={**os.environ, "DATABASE_URL": db_url},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 1
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert "Error: applying 0012_broken failed: division by zero" in result.stderr
    assert "not transactional" in result.stderr
    assert 'table "no_such_table" does not exist' in result.stderr
    assert applied(db_url) == IDS


def test_a_migration_yoyo_cannot_read_is_one_line(
    db_url: str, tmp_path: Path, monkeypatch: Any
) -> None:
    copy = Path(shutil.copytree(migrations_dir(), tmp_path / "migrations"))
    (copy / "0012_orphan.sql").write_text("-- depends: 0999_missing\nSELECT 1;\n")
    monkeypatch.setattr(migrations, "migrations_dir", lambda: copy)

    result = shopdb(db_url, "migrate")

    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: bad migration: ")
    assert "0012_orphan" in result.output
    assert len(result.output.splitlines()) == 1, result.output


def test_yoyo_connects_with_exactly_what_libpq_reads_from_the_url() -> None:
    url = "postgresql://u:p%40ss?w#rd@h1:5432,h2:5433/shop?sslmode=prefer"

    parsed = parse_uri(migrations.yoyo_url(url, connect_timeout=3))

    assert parsed.scheme == "postgresql+psycopg"
    assert parsed.args == {**conninfo_to_dict(url), "connect_timeout": "3"}
    assert parsed.args["password"] == "p@ss?w#rd"
