"""A throwaway PostgreSQL cluster with server settings of its own (shared_preload_libraries,
say), for the tests that need what the shared server was not started with.

It lives in a temporary folder on a free local port, trust authentication, and is stopped
and removed afterwards. PostgreSQL refuses to run as root: as root, initdb and pg_ctl run as
the postgres user (runuser), which owns the folder. ~2 s to start here.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from shopdb.testing import Server
from shopdb.testing.servers import server_bin


@dataclass(frozen=True)
class Cluster:
    """A running throwaway cluster: where to connect, and its server log."""

    server: Server
    log: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@contextmanager
def throwaway_cluster(*settings: str) -> Iterator[Cluster]:
    """A new cluster started with ``-c`` for each of ``settings`` ("name=value")."""
    root = Path(tempfile.mkdtemp(prefix="shopdb-cluster-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data, log = root / "data", root / "server.log"
    port = _free_port()
    options = [f"-p {port}", "-c listen_addresses=127.0.0.1", f"-c unix_socket_directories={root}"]
    options += ["-c fsync=off", *(f"-c {setting}" for setting in settings)]
    initdb = [str(server_bin("initdb")), "-D", str(data), "-U", "postgres", "--auth=trust"]
    pg_ctl = [str(server_bin("pg_ctl")), "-D", str(data)]
    try:
        _run([*as_user, *initdb, "--no-sync", "-E", "UTF8", "--locale=C"])
        _run([*as_user, *pg_ctl, "-o", " ".join(options), "-l", str(log), "-w", "start"])
        try:
            yield Cluster(Server("proc", "127.0.0.1", port, "postgres", None), log)
        finally:
            _run([*as_user, *pg_ctl, "-m", "immediate", "-w", "stop"])
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr or done.stdout}")
