"""A non-editable install of the wheel can migrate a database and run every query."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(dist)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return next(dist.glob("shopdb-*.whl"))


def test_the_wheel_ships_every_sql_file_and_migration(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())

    for path in (ROOT / "sql").glob("*.sql"):
        assert f"shopdb/sql/{path.name}" in names
    for path in (ROOT / "migrations").iterdir():
        assert f"shopdb/migrations/{path.name}" in names
    assert "shopdb/py.typed" in names


def test_the_wheel_declares_its_runtime_dependencies(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        metadata = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        text = archive.read(metadata).decode()
    for requirement in ("psycopg[pool]", "aiosql", "yoyo-migrations", "pydantic", "tenacity"):
        assert f"Requires-Dist: {requirement}" in text


@pytest.mark.slow
def test_an_installed_wheel_migrates_a_database_and_runs_every_query(
    wheel: Path, tmp_path: Path, empty_url: str
) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
        check=True,
    )
    # The dependencies come from this environment's site-packages; shopdb itself from the wheel.
    target = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(target) / "zz_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    run = subprocess.run(
        [python, str(ROOT / "tests" / "support" / "wheel_smoke.py"), empty_url],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )

    assert run.returncode == 0, run.stderr
    assert "wheel ok" in run.stdout
