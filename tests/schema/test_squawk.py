"""Migration safety lint: squawk, with the project's .squawk.toml, over every migration file.

squawk does the linting; these tests prove that it runs on every file, that it is set up for
the server's PostgreSQL version, and that it rejects the operations that would lock a live
table for long (each case is a migration written the unsafe way).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / ".squawk.toml"
MIGRATIONS = sorted((ROOT / "migrations").glob("*.sql"))
TIMEOUTS = "SET LOCAL lock_timeout = '5s';\nSET LOCAL statement_timeout = '60s';\n"


def squawk(*paths: Path) -> tuple[int, list[dict[str, Any]]]:
    """Run squawk with the project's config; its exit code and its JSON report."""
    binary = shutil.which("squawk", path=str(Path(sys.executable).parent)) or shutil.which("squawk")
    assert binary, "squawk is missing: pip install -e '.[dev]' (squawk-cli)"
    result = subprocess.run(
        [binary, "--config", str(CONFIG), "--reporter", "json", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return result.returncode, json.loads(result.stdout or "[]")


def migration(tmp_path: Path, text: str) -> Path:
    """A migration file with this text, named like the real ones."""
    path = tmp_path / "0099_change.sql"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_migration_file_passes_the_lint() -> None:
    code, violations = squawk(*MIGRATIONS)

    assert (code, violations) == (0, [])
    assert len(MIGRATIONS) >= 22


def test_the_lint_targets_the_servers_postgresql_version(
    schema_db: psycopg.Connection[Any],
) -> None:
    config = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    server_major = schema_db.info.server_version // 10000

    assert int(config["pg_version"].split(".")[0]) == server_major
    assert config["assume_in_transaction"] is True


UNSAFE: dict[str, str] = {
    "require-concurrent-index-creation": "CREATE INDEX users_phone_idx ON users (phone);",
    "adding-field-with-default": (
        "ALTER TABLE users ADD COLUMN referral uuid DEFAULT gen_random_uuid();"
    ),
    "adding-not-nullable-field": "ALTER TABLE users ALTER COLUMN phone SET NOT NULL;",
    "constraint-missing-not-valid": (
        "ALTER TABLE users ADD CONSTRAINT users_phone_check CHECK (phone <> '');"
    ),
    "adding-foreign-key-constraint": (
        "ALTER TABLE users ADD CONSTRAINT users_referrer_id_fkey "
        "FOREIGN KEY (referrer_id) REFERENCES users (id);"
    ),
    "changing-column-type": "ALTER TABLE users ALTER COLUMN first_name TYPE varchar(50);",
    "prefer-timestamp-tz": "ALTER TABLE users ADD COLUMN seen_at timestamp;",
    "ban-drop-column": "ALTER TABLE users DROP COLUMN phone;",
    "renaming-column": "ALTER TABLE users RENAME COLUMN phone TO phone_number;",
    "ban-drop-table": "DROP TABLE wishlists;",
    "prefer-text-field": "ALTER TABLE users ADD COLUMN nickname varchar(40);",
    # No `-- transactional: false`: yoyo would run it in a transaction, where it fails.
    "ban-concurrent-index-creation-in-transaction": (
        "CREATE INDEX CONCURRENTLY users_phone_idx ON users (phone);"
    ),
}
TIMEOUT_RULES = {"require-lock-timeout", "require-statement-timeout"}


@pytest.mark.parametrize("rule", list(UNSAFE))
def test_an_unsafe_migration_is_rejected(tmp_path: Path, rule: str) -> None:
    code, violations = squawk(migration(tmp_path, TIMEOUTS + UNSAFE[rule] + "\n"))

    assert code == 1
    assert rule in {v["rule_name"] for v in violations}


def test_a_migration_without_lock_and_statement_timeouts_is_rejected(tmp_path: Path) -> None:
    code, violations = squawk(migration(tmp_path, "ALTER TABLE users ADD COLUMN nickname text;\n"))

    assert code == 1
    assert {v["rule_name"] for v in violations} >= TIMEOUT_RULES


def documented_rules() -> set[str]:
    """The rules in the table of docs/migrations.md, "What the linter checks, and why"."""
    text = (ROOT / "docs" / "migrations.md").read_text(encoding="utf-8")
    section = text.split("## What the linter checks, and why", 1)[1].split("\n## ", 1)[0]
    first_cells = re.findall(r"^\| ([^|]*`[^|]*) \|", section, re.MULTILINE)
    return {rule for cell in first_cells for rule in re.findall(r"`([a-z-]+)`", cell)}


def test_every_rule_the_runbook_lists_has_an_unsafe_case_here() -> None:
    # docs/migrations.md says these tests prove each rule of its table rejects what it names.
    documented = documented_rules()

    assert len(documented) >= 10
    assert documented - TIMEOUT_RULES == set(UNSAFE)


def test_a_new_table_may_get_its_indexes_in_the_same_migration(tmp_path: Path) -> None:
    text = TIMEOUTS + (
        "CREATE TABLE wishlists (id uuid PRIMARY KEY, user_id uuid NOT NULL);\n"
        "CREATE INDEX wishlists_user_id_idx ON wishlists (user_id);\n"
    )

    assert squawk(migration(tmp_path, text)) == (0, [])


def test_a_concurrent_index_outside_a_transaction_passes(tmp_path: Path) -> None:
    text = (
        "-- transactional: false\n-- squawk-disable-assume-in-transaction\n"
        "SET lock_timeout = '5s';\nSET statement_timeout = '30min';\n"
        "DROP INDEX CONCURRENTLY IF EXISTS users_phone_idx;\n"
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS users_phone_idx ON users (phone);\n"
    )

    assert squawk(migration(tmp_path, text)) == (0, [])


@pytest.mark.parametrize("path", MIGRATIONS, ids=lambda p: p.name)
def test_every_squawk_exception_in_a_migration_says_why(path: Path) -> None:
    ignores = re.findall(r"^\s*--\s*squawk-ignore(?:-file)?\b(.*)$", path.read_text(), re.MULTILINE)

    for rest in ignores:
        rule, _, reason = rest.partition("--")
        assert rule.strip() and len(reason.strip()) > 10, f"{path.name}: {rest!r} gives no reason"
