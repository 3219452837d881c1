"""A throwaway PostgreSQL cluster: initdb and pg_ctl in a temporary folder, removed after.

Standard library only, so that it also runs under a bare interpreter (the tests start one as
the postgres user, since PostgreSQL refuses to run as root)."""

from __future__ import annotations

import glob
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class ClusterError(RuntimeError):
    """The cluster could not be made or started."""


@contextmanager
def throwaway_cluster() -> Iterator[int]:
    """A new cluster (trust authentication, superuser postgres) listening on a free loopback
    port, stopped and deleted after the block; yields the port."""
    bin_dir = _postgres_bin()
    folder = Path(tempfile.mkdtemp(prefix="shopdb-demo-cluster-"))
    data = folder / "data"
    port = _free_port()
    try:
        _run(bin_dir / "initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8")
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        _run(bin_dir / "pg_ctl", "-D", data, "-o", options, "-l", folder / "log", "-w", "start")
        try:
            yield port
        finally:
            _run(bin_dir / "pg_ctl", "-D", data, "-m", "fast", "-w", "stop")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _postgres_bin() -> Path:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    installed = glob.glob("/usr/lib/postgresql/*/bin/pg_ctl")
    if not installed:
        raise ClusterError("pg_ctl is not installed: install PostgreSQL or set DATABASE_URL")
    newest = max(installed, key=lambda path: int(Path(path).parents[1].name))
    return Path(newest).parent


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _run(*command: str | Path) -> None:
    done = subprocess.run([str(p) for p in command], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines() or ["no output"]
        raise ClusterError(f"{Path(command[0]).name} failed: {lines[-1]}")
