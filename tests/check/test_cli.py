"""`shopdb check` and `shopdb explain` as commands: exit codes, the table, one-line errors."""

from __future__ import annotations

import json
from uuid import uuid4

from click.testing import CliRunner, Result

from shopdb import Database, Settings
from shopdb.cli import main
from shopdb.models import NewUser

HASH = "$2b$12$" + "c" * 53


def shopdb(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"DATABASE_URL": url})


def test_check_on_an_unmigrated_database_prints_the_table_and_fails(empty_url: str) -> None:
    result = shopdb(empty_url, "check")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].split() == ["file", "query", "problem"]
    assert any(
        line.startswith("sql/users.sql") and 'relation "users" does not exist' in line
        for line in lines
    )
    assert lines[-1].startswith("Error: ") and "problem(s) in the named queries" in lines[-1]


def test_explain_prints_the_plan_and_its_time(check_url: str) -> None:
    params = '{"id": "0190c0de-0000-7000-8000-000000000001"}'
    result = shopdb(check_url, "explain", "users.get", "--params", params)
    assert result.exit_code == 0, result.output
    assert "Index Scan" in result.output or "Seq Scan" in result.output
    assert "Execution Time:" in result.output
    assert result.output.splitlines()[-1].startswith("time: planning ")


def test_explain_of_a_write_runs_it_and_rolls_it_back(check_url: str) -> None:
    settings = Settings(database_url=check_url, database_pool_min=1, database_pool_max=1)
    with Database(settings) as db:
        user = db.users.create(NewUser(email=f"{uuid4().hex}@example.com", password_hash=HASH))
        params = json.dumps({"id": str(user.id)})
        result = shopdb(check_url, "explain", "users.soft_delete", "--params", params)
        assert result.exit_code == 0, result.output
        assert "rows=1" in result.output  # the UPDATE found the user ...
        assert db.users.get(user.id).deleted_at is None  # ... and nothing of it stayed


def test_explain_errors_are_one_line(check_url: str) -> None:
    cases = {
        ("explain", "users.nope"): "no query named users.nope",
        ("explain", "users.get"): "users.get: parameters missing id",
        ("explain", "users.get", "--params", '{"id": "x", "extra": 1}'): "unknown extra",
        ("explain", "users.get", "--params", '{"id": "not-a-uuid"}'): "users.get: invalid value",
        ("explain", "users.get", "--params", "[1]"): "a JSON object",
        ("explain", "users.get", "--params", "{"): "not JSON",
    }
    for args, expected in cases.items():
        result = shopdb(check_url, *args)
        assert result.exit_code != 0, args
        errors = [line for line in result.output.splitlines() if "Error" in line]
        assert len(errors) == 1 and expected in errors[0], (args, result.output)
        assert "Traceback" not in result.output
