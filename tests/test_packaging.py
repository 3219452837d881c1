"""The wheel: it ships every SQL file and migration, declares its dependencies, and fresh
virtualenvs where pip installed it (non-editable, dependencies resolved by pip) work: with no
extra, the light library migrates an empty database and runs the users slice while the
command says which extra it needs; with ``[binary,cli]`` it executes every named query and
the command runs.

pip resolves every dependency itself, from its configured index (PyPI; pip's cache makes it
quick, PIP_FIND_LINKS / PIP_NO_INDEX point it at a local wheelhouse). Nothing of this checkout
or of the dev virtualenv is visible there: the smoke scripts run in isolated mode from a copy.
Each virtualenv is made once per module (and per xdist worker that runs its tests)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from shopdb.core.queries import load_queries, tools_sql_dir

ROOT = Path(__file__).resolve().parents[1]
ENV = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME", "DATABASE_URL"}}
ENV["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
EXTRA_MESSAGE = "shopdb's command line needs the cli extra: pip install 'shopdb[cli]'"


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


def test_the_wheel_requires_the_library_dependencies_and_the_cli_ones_only_in_its_extra(
    wheel: Path,
) -> None:
    with zipfile.ZipFile(wheel) as archive:
        metadata = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        text = archive.read(metadata).decode()
    for requirement in ("psycopg[pool]", "aiosql", "yoyo-migrations", "pydantic", "tenacity"):
        assert f"Requires-Dist: {requirement}" in text
    prefix = "Requires-Dist: "
    requires = [line[len(prefix) :] for line in text.splitlines() if line.startswith(prefix)]
    base = {r for r in requires if "; extra ==" not in r}
    cli = {r.split(";")[0] for r in requires if r.endswith("; extra == 'cli'")}
    for requirement in ("click", "pglast", "argon2-cffi", "rich"):
        assert not any(r.startswith(requirement) for r in base), base
        assert any(r.startswith(requirement) for r in cli), cli
    assert "psycopg-pool<" not in text and "<3.4" not in text


def _virtualenv(root: Path, requirement: str) -> Path:
    """A new virtualenv in ``root`` where pip installed ``requirement``; its bin folder."""
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=ENV)
    python = str(venv / "bin" / "python")
    install = _run([python, "-m", "pip", "install", "--quiet", requirement], timeout=300)
    assert install.returncode == 0, install.stdout + install.stderr
    check = _run([python, "-m", "pip", "check"])
    assert check.returncode == 0, check.stdout + check.stderr
    return venv / "bin"


def _run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    options: dict[str, Any] = {"env": ENV, "timeout": 120, **kwargs}
    return subprocess.run(command, capture_output=True, text=True, check=False, **options)


def _smoke(bin_dir: Path, script: str, url: str, where: Path) -> subprocess.CompletedProcess[str]:
    """``script`` (of tests/support) copied to ``where`` and run isolated on ``url``."""
    copy = where / script
    shutil.copy(ROOT / "tests" / "support" / script, copy)
    return _run([str(bin_dir / "python"), "-I", str(copy), url], cwd=where)


@pytest.fixture(scope="module")
def plain(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin folder of a virtualenv with ``pip install shopdb-*.whl``: no extra at all."""
    return _virtualenv(tmp_path_factory.mktemp("plain"), str(wheel))


@pytest.fixture(scope="module")
def full(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin folder of a virtualenv with the wheel's ``binary`` and ``cli`` extras."""
    return _virtualenv(tmp_path_factory.mktemp("full"), f"{wheel}[binary,cli]")


@pytest.mark.slow
def test_the_wheel_without_extras_migrates_and_runs_the_users_slice_without_the_cli_packages(
    plain: Path, tmp_path: Path, empty_url: str
) -> None:
    """pip installs the bare wheel: none of click, pglast, argon2-cffi and rich comes with it,
    psycopg runs over the system's libpq, and the library migrates and reads a user
    (light_smoke.py)."""
    run = _smoke(plain, "light_smoke.py", empty_url, tmp_path)

    assert run.returncode == 0, run.stdout + run.stderr
    assert "python, libpq" in run.stdout
    assert run.stdout.endswith("light ok\n")


@pytest.mark.slow
@pytest.mark.parametrize("command", [["shopdb"], ["python", "-m", "shopdb"]])
def test_the_command_of_the_wheel_without_extras_names_the_extra_to_install(
    plain: Path, command: list[str]
) -> None:
    done = _run([str(plain / command[0]), *command[1:], "--help"])

    assert done.returncode == 1
    assert done.stderr.startswith(EXTRA_MESSAGE + " (not installed: click, pglast, ")
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


@pytest.mark.slow
def test_the_command_of_the_wheel_with_the_cli_extra_runs(full: Path) -> None:
    done = _run([str(full / "shopdb"), "--help"])

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Usage: shopdb [OPTIONS] COMMAND [ARGS]...")


@pytest.mark.slow
def test_a_fresh_virtualenv_with_the_wheel_migrates_a_database_and_runs_every_query(
    full: Path, tmp_path: Path, empty_url: str
) -> None:
    """The wheel with ``binary`` and ``cli``: it migrates the empty database and executes
    every named query (see wheel_smoke.py); ``shopdb status`` lists the newest migration."""
    run = _smoke(full, "wheel_smoke.py", empty_url, tmp_path)
    status = _run(
        [str(full / "shopdb"), "status"], cwd=tmp_path, env={**ENV, "DATABASE_URL": empty_url}
    )

    assert run.returncode == 0, run.stdout + run.stderr
    namespaces = (*load_queries().values(), *load_queries(tools_sql_dir()).values())
    every = sum(len(namespace) for namespace in namespaces)
    assert f"described {every} named queries" in run.stdout
    assert run.stdout.endswith("wheel ok\n")
    newest = max(p.stem for p in (ROOT / "migrations").glob("0*.sql") if ".rollback" not in p.name)
    assert status.returncode == 0, status.stdout + status.stderr
    assert newest in status.stdout
