"""Which server the demo runs on: DATABASE_URL's, the local one, or a throwaway cluster."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from shopdb.demo import NoDemoServer, demo_database_url

CLUSTER_MODULE = Path(__file__).resolve().parents[2] / "src" / "shopdb" / "demo" / "cluster.py"


def test_database_url_names_the_server_of_the_demo_database() -> None:
    with demo_database_url("postgresql://app@db.example:6543/app", is_reachable=_never) as url:
        assert url == "postgresql://app@db.example:6543/shopdb_demo"


def test_without_database_url_the_local_server_is_used_when_it_answers() -> None:
    with demo_database_url(None, is_reachable=lambda host, port: True) as url:
        assert url == "postgresql://postgres@127.0.0.1:5432/shopdb_demo"


def test_as_root_without_a_server_the_demo_says_what_to_do() -> None:
    with (
        pytest.raises(NoDemoServer) as refused,
        demo_database_url(None, is_reachable=_never, is_root=True),
    ):
        pass

    message = str(refused.value)
    assert "refuses to start a throwaway cluster as root" in message
    assert "Set DATABASE_URL=" in message and "run the demo as a user other than root" in message


def test_a_throwaway_cluster_answers_while_it_runs_and_is_gone_after() -> None:
    # The module runs under a bare interpreter as a user PostgreSQL accepts (root is refused);
    # that user may not read a checkout under a private folder, so it gets a readable copy.
    readable = Path(tempfile.mkdtemp(prefix="shopdb-cluster-module-"))
    readable.chmod(0o755)
    module = shutil.copy(CLUSTER_MODULE, readable / "cluster.py")
    try:
        _run_cluster_module(Path(module))
    finally:
        shutil.rmtree(readable)


def _run_cluster_module(module: Path) -> None:
    script = textwrap.dedent(
        f"""
        import glob, importlib.util, shutil, subprocess, sys, tempfile
        spec = importlib.util.spec_from_file_location("cluster", {str(module)!r})
        cluster = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(cluster)
        pattern = tempfile.gettempdir() + "/shopdb-demo-cluster-*"
        before = set(glob.glob(pattern))
        with cluster.throwaway_cluster() as port:
            answer = subprocess.run(
                [shutil.which("psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
                 "-d", "postgres", "-Atc", "SELECT 40 + 2"],
                capture_output=True, text=True, check=True,
            )
            print("answered", answer.stdout.strip())
            print("folders while running", len(set(glob.glob(pattern)) - before))
        print("folders after", len(set(glob.glob(pattern)) - before))
        """
    )
    command = [sys.executable, "-c", script]
    if os.geteuid() == 0:
        command = [*_as_postgres(), "-c", script]

    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "answered 42",
        "folders while running 1",
        "folders after 0",
    ]


def _never(host: str, port: int) -> bool:
    return False


def _as_postgres() -> list[str]:
    """runuser -u postgres with the system's own python3 (this one may be unreadable to it)."""
    python = shutil.which("python3", path="/usr/bin:/bin")
    runuser = shutil.which("runuser")
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("running as root and there is no postgres user to start a cluster as")
    if python is None or runuser is None:
        pytest.skip("running as root without runuser or a system python3 for the postgres user")
    return [runuser, "-u", "postgres", "--", python]
