"""Each command does its work through the installed console script and exits 0; the
behaviour of each is tested in depth beside it (test_migrations.py, tests/check/test_cli.py,
tests/schema/test_schema_doc.py)."""

from __future__ import annotations

import json
from pathlib import Path

from shopdb.testing.commands import run_shopdb

USER_ID = "0190c0de-0000-7000-8000-000000000001"


def test_migrate_status_rollback_and_break_lock_through_the_installed_command(
    db_url: str,
) -> None:
    nothing = run_shopdb("migrate", database_url=db_url)
    back = run_shopdb("rollback", database_url=db_url)
    status = run_shopdb("status", database_url=db_url)
    again = run_shopdb("migrate", database_url=db_url)
    unlocked = run_shopdb("break-lock", database_url=db_url)

    assert (nothing.returncode, nothing.stdout) == (0, "nothing to apply\n")
    assert back.returncode == 0 and back.stdout.startswith("rolled back ")
    newest = back.stdout.split()[-1]
    assert status.returncode == 0
    assert status.stdout.splitlines()[-1].split() == ["pending", newest]
    assert (again.returncode, again.stdout) == (0, f"applied {newest}\n")
    assert (unlocked.returncode, unlocked.stdout) == (0, "migration lock removed\n")


def test_schema_doc_writes_then_checks_the_document(db_url: str, tmp_path: Path) -> None:
    output = tmp_path / "schema.md"

    wrote = run_shopdb("schema-doc", "--output", str(output), database_url=db_url)
    checked = run_shopdb("schema-doc", "--output", str(output), "--check", database_url=db_url)

    assert (wrote.returncode, wrote.stdout) == (0, f"wrote {output}\n")
    assert output.read_text(encoding="utf-8").startswith("# ")
    assert (checked.returncode, checked.stdout) == (0, f"{output} is up to date\n")


def test_check_and_explain_through_the_installed_command(db_url: str) -> None:
    checked = run_shopdb("check", database_url=db_url)
    params = json.dumps({"id": USER_ID})
    explained = run_shopdb("explain", "users.get", "--params", params, database_url=db_url)

    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.startswith("every named query is prepared")
    assert explained.returncode == 0, explained.stderr
    assert explained.stdout.splitlines()[-1].startswith("time: planning ")
