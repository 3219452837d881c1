"""The wheel: it ships every SQL file and migration, declares its dependencies, and a fresh
virtualenv where pip installed it (non-editable, dependencies resolved by pip) can migrate an
empty database and execute every named query."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from shopdb.core.queries import load_queries

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
def test_a_fresh_virtualenv_with_the_wheel_migrates_a_database_and_runs_every_query(
    wheel: Path, tmp_path: Path, empty_url: str
) -> None:
    """pip installs the wheel with its ``binary`` extra into a new virtualenv and resolves
    every dependency itself, from its configured index (PyPI; pip's cache makes it quick,
    PIP_FIND_LINKS / PIP_NO_INDEX point it at a local wheelhouse). Nothing of this checkout or
    of the dev virtualenv is visible there: the smoke script runs in isolated mode from a copy.
    It migrates the empty database and executes every named query (see wheel_smoke.py)."""
    venv = tmp_path / "venv"
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME"}}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=env)
    python = str(venv / "bin" / "python")
    install = subprocess.run(
        [python, "-m", "pip", "install", "--quiet", f"{wheel}[binary]"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    check = subprocess.run(
        [python, "-m", "pip", "check"], capture_output=True, text=True, env=env, check=False
    )
    assert check.returncode == 0, check.stdout + check.stderr
    smoke = tmp_path / "wheel_smoke.py"
    shutil.copy(ROOT / "tests" / "support" / "wheel_smoke.py", smoke)

    run = subprocess.run(
        [python, "-I", str(smoke), empty_url],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    status = subprocess.run(
        [str(venv / "bin" / "shopdb"), "status"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**env, "DATABASE_URL": empty_url},
        timeout=60,
        check=False,
    )

    assert run.returncode == 0, run.stdout + run.stderr
    every = sum(len(namespace) for namespace in load_queries().values())
    assert f"described {every} named queries" in run.stdout
    assert run.stdout.endswith("wheel ok\n")
    newest = max(p.stem for p in (ROOT / "migrations").glob("0*.sql") if ".rollback" not in p.name)
    assert status.returncode == 0, status.stdout + status.stderr
    assert newest in status.stdout
