"""A throwaway PgBouncer in transaction mode in front of a PostgreSQL server, for the tests and
benchmarks that run through it (``--through-pgbouncer``, benchmarks/test_pgbouncer.py).

It runs Debian's pgbouncer (``make pgbouncer`` installs it) from a temporary folder on a free
loopback port, trust authentication, every database name passed on to the server; as root it
runs as the postgres user (pgbouncer refuses root). statement_timeout, which a client cannot
send through a transaction-mode pooler, is set by pgbouncer's ``connect_query`` on each server
connection, as docs/operations.md tells an operator to do (or ALTER ROLE ... SET).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

_LOCATIONS = ("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer")


def pgbouncer_binary() -> str | None:
    """Where pgbouncer is installed, or None."""
    found = shutil.which("pgbouncer")
    if found:
        return found
    return next((path for path in _LOCATIONS if os.access(path, os.X_OK)), None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def config(port: int, server_host: str, server_port: int, folder: Path, *, pool_size: int) -> str:
    """The pgbouncer.ini of a transaction-mode pooler on ``port`` for every database."""
    target = f"host={server_host} port={server_port} connect_query='SET statement_timeout = 5000'"
    return "\n".join(
        [
            "[databases]",
            f"* = {target}",
            "[pgbouncer]",
            "listen_addr = 127.0.0.1",
            f"listen_port = {port}",
            f"unix_socket_dir = {folder}",
            "auth_type = trust",
            f"auth_file = {folder / 'users.txt'}",
            "pool_mode = transaction",
            f"default_pool_size = {pool_size}",
            "max_client_conn = 500",
            "max_db_connections = 0",
            # psycopg sends none of these at connect; a tool that does must not be refused.
            "ignore_startup_parameters = extra_float_digits",
            "server_reset_query =",
            "server_check_delay = 0",
            "log_connections = 0",
            "log_disconnections = 0",
            f"logfile = {folder / 'pgbouncer.log'}",
            f"pidfile = {folder / 'pgbouncer.pid'}",
            "",
        ]
    )


@contextmanager
def pgbouncer(server_host: str, server_port: int, *, pool_size: int = 20) -> Iterator[int]:
    """A running transaction-mode PgBouncer in front of ``server_host:server_port``; yields
    its port. Stopped (SIGTERM, then SIGKILL) and its folder removed afterwards."""
    binary = pgbouncer_binary()
    if binary is None:
        raise RuntimeError("pgbouncer is not installed: run `make pgbouncer`")
    folder = Path(tempfile.mkdtemp(prefix="shopdb-pgbouncer-"))
    port = _free_port()
    (folder / "users.txt").write_text('"postgres" ""\n', encoding="utf-8")
    ini = folder / "pgbouncer.ini"
    ini.write_text(config(port, server_host, server_port, folder, pool_size=pool_size), "utf-8")
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
        for path in folder.iterdir():
            shutil.chown(path, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    process = subprocess.Popen(
        [*as_user, binary, str(ini)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        _wait_listening(port, process, folder)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def _wait_listening(port: int, process: subprocess.Popen[bytes], folder: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = folder / "pgbouncer.log"
            text = log.read_text(encoding="utf-8") if log.exists() else ""
            stderr = process.stderr.read().decode() if process.stderr else ""
            raise RuntimeError(f"pgbouncer exited: {(stderr or text).strip()[-500:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"pgbouncer did not listen on port {port} within 15 s")


def through(url: str, port: int) -> str:
    """``url`` (postgresql://user@host:port/db) with the pooler's host and port in its place."""
    parts = urlsplit(url)
    user = parts.netloc.rpartition("@")[0]
    netloc = f"{user}@127.0.0.1:{port}" if user else f"127.0.0.1:{port}"
    return urlunsplit(parts._replace(netloc=netloc))
