"""The checksum manifest of the migration files: an edit of a released migration fails the build.

yoyo identifies a migration by its id only, so an applied migration whose file is edited
afterwards goes unnoticed on databases that already ran it. migrations/checksums.sha256
(`sha256sum` format: `cd migrations && sha256sum -c checksums.sha256` checks it by hand)
pins every file; a new migration adds its lines with `make migration-checksums`, which
never rewrites an existing line. The way to change the schema is a new migration.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = "checksums.sha256"


def manifest_problems(directory: Path) -> list[str]:
    """What is wrong with the manifest of ``directory``: edited, unlisted or missing files."""
    listed: dict[str, str] = {}
    for line in (directory / MANIFEST).read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        listed[name] = digest
    problems = []
    for path in sorted(directory.glob("*.sql")):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if path.name not in listed:
            problems.append(f"{path.name}: not in {MANIFEST} (make migration-checksums)")
        elif listed[path.name] != digest:
            problems.append(f"{path.name}: edited after release; write a new migration instead")
    problems += [
        f"{name}: listed but missing" for name in listed if not (directory / name).exists()
    ]
    return problems


def test_every_migration_file_matches_the_manifest() -> None:
    assert manifest_problems(ROOT / "migrations") == []


def copy_of_migrations(tmp_path: Path) -> Path:
    """A copy of migrations/ to tamper with."""
    return Path(shutil.copytree(ROOT / "migrations", tmp_path / "migrations"))


def test_an_edited_migration_is_caught(tmp_path: Path) -> None:
    copy = copy_of_migrations(tmp_path)
    edited = copy / "0002_identity.sql"
    edited.write_text(edited.read_text() + "\n-- a harmless-looking edit\n")

    assert manifest_problems(copy) == [
        "0002_identity.sql: edited after release; write a new migration instead"
    ]


def test_a_migration_missing_from_the_manifest_is_caught(tmp_path: Path) -> None:
    copy = copy_of_migrations(tmp_path)
    (copy / "0099_new.sql").write_text("SELECT 1;\n")
    (copy / "0002_identity.rollback.sql").unlink()

    assert manifest_problems(copy) == [
        "0099_new.sql: not in checksums.sha256 (make migration-checksums)",
        "0002_identity.rollback.sql: listed but missing",
    ]
