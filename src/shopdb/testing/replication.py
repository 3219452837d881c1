"""Throwaway streaming replication: a primary cluster, standbys made by ``pg_basebackup -R``,
and what a drill does to them (stop one, promote one, pause replay).

Every server runs as the postgres OS user (PostgreSQL refuses root) on a free loopback port in
a temporary folder, with trust authentication and small settings; ``Node.remove`` deletes it.
A primary with its migrated database is ~3 s here, a standby ~1 s more.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import uuid4

import psycopg
from prometheus_client import REGISTRY

from shopdb import Database, Settings, migrations
from shopdb.models.products import NewProduct, NewVariant, Product, ProductStatus
from shopdb.testing.servers import server_bin

SMALL = ("shared_buffers=16MB", "max_connections=60", "max_wal_size=256MB", "wal_keep_size=64MB")
FAST = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")
DBNAME = "shop"


def _as_postgres() -> list[str]:
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _run(command: list[str], timeout_s: float = 120) -> str:
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=timeout_s)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr or done.stdout}")
    return done.stdout


@dataclass
class Node:
    """One server of the set: where it listens, its data folder and log."""

    name: str
    port: int
    root: Path
    settings: tuple[str, ...]

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "server.log"

    def url(self, dbname: str = DBNAME) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def start(self) -> None:
        options = [f"-p {self.port}", "-c listen_addresses=127.0.0.1"]
        options += [f"-c unix_socket_directories={self.root}"]
        options += [f"-c {setting}" for setting in self.settings]
        pg_ctl = [str(server_bin("pg_ctl")), "-D", str(self.data), "-l", str(self.log)]
        _run([*_as_postgres(), *pg_ctl, "-o", " ".join(options), "-w", "-t", "60", "start"])

    def stop(self, mode: str = "immediate") -> None:
        pg_ctl = [str(server_bin("pg_ctl")), "-D", str(self.data), "-m", mode, "-w", "stop"]
        _run([*_as_postgres(), *pg_ctl])

    def running(self) -> bool:
        status = [str(server_bin("pg_ctl")), "-D", str(self.data), "status"]
        done = subprocess.run([*_as_postgres(), *status], capture_output=True, check=False)
        return done.returncode == 0

    def promote(self) -> None:
        _run([*_as_postgres(), str(server_bin("pg_ctl")), "-D", str(self.data), "-w", "promote"])

    def remove(self) -> None:
        if self.running():
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def execute(self, statement: str, params: Any = None, dbname: str = DBNAME) -> Any:
        """Run one statement on the node (autocommit); its first value, if any."""
        with psycopg.connect(self.url(dbname), autocommit=True, connect_timeout=5) as conn:
            cursor = conn.execute(statement, params)
            row = cursor.fetchone() if cursor.description else None
            return row[0] if row else None


def _folder(name: str) -> Path:
    root = Path(tempfile.mkdtemp(prefix=f"shopdb-{name}-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    return root


def start_primary(*settings: str, fast: bool = True) -> Node:
    """A new primary with a migrated ``shop`` database."""
    options = (*SMALL, *(FAST if fast else ()), *settings)
    node = Node("primary", _free_port(), _folder("primary"), options)
    initdb = [str(server_bin("initdb")), "-D", str(node.data), "-U", "postgres", "--auth=trust"]
    try:
        _run([*_as_postgres(), *initdb, "--no-sync", "-E", "UTF8", "--locale=C"])
        node.start()
        node.execute(f"CREATE DATABASE {DBNAME}", dbname="postgres")
        migrations.apply(Settings(database_url=node.url()))
    except BaseException:
        node.remove()
        raise
    return node


def start_standby(primary: Node, name: str = "replica", *settings: str) -> Node:
    """A streaming standby of ``primary`` (``pg_basebackup -R``), started and caught up."""
    # cluster_name is the application_name its WAL receiver gives (synchronous_standby_names).
    node = Node(name, _free_port(), _folder(name), (*SMALL, f"cluster_name={name}", *settings))
    basebackup = [str(server_bin("pg_basebackup")), "-h", "127.0.0.1", "-p", str(primary.port)]
    basebackup += ["-U", "postgres", "-D", str(node.data), "-R", "-X", "stream", "-c", "fast"]
    basebackup += ["--no-sync", f"--label={name}"]
    try:
        _run([*_as_postgres(), *basebackup])
        node.start()
        wait_until(lambda: node.execute("SELECT pg_is_in_recovery()") is True, 30)
    except BaseException:
        node.remove()
        raise
    return node


@contextmanager
def streaming_pair() -> Iterator[tuple[Node, Node]]:
    """A primary (its ``shop`` database migrated) and a streaming standby named replica,
    both removed afterwards. The primary commits synchronously (fsync still off): an
    asynchronous commit reaches the standby only when the WAL writer flushes it
    (wal_writer_delay, 200 ms), which every read-your-writes wait would then include."""
    primary = start_primary("synchronous_commit=on")
    try:
        standby = start_standby(primary, "replica")
        try:
            yield primary, standby
        finally:
            standby.remove()
    finally:
        primary.remove()


def wait_until(condition: Any, timeout_s: float, every_s: float = 0.02) -> float:
    """Poll ``condition()`` until true; the seconds it took. AssertionError on timeout."""
    start = time.monotonic()
    while True:
        try:
            if condition():
                return time.monotonic() - start
        except psycopg.OperationalError:
            pass
        if time.monotonic() - start > timeout_s:
            raise AssertionError(f"not true within {timeout_s} s: {condition}")
        time.sleep(every_s)


def replayed_everything(primary: Node, standby: Node) -> bool:
    """True once the standby has replayed the primary's current WAL position."""
    target = primary.execute("SELECT pg_current_wal_insert_lsn()")
    return bool(standby.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (target,)))


# The secrets of the test servers' Settings (never a real deployment's).
SECRETS = {
    "cursor_secret": "test-cursor-secret-0123456789abcdef",
    "api_key_pepper": "test-api-key-pepper-0123456789abcdef",
    "two_factor_key": "t1:" + "dGVzdC10d28tZmFjdG9yLWtleS0wMTIzNDU2Nzg5YWI=",
}


def counted(metric: str, **labels: str) -> float:
    """The current value of a counter's series (0 before its first increment)."""
    return REGISTRY.get_sample_value(metric, labels) or 0.0


def new_product(db: Database) -> Product:
    """An ACTIVE product with one variant, created on the primary (a unit of work)."""
    slug = f"p-{uuid4().hex[:12]}"
    new = NewProduct(
        title="Lamp",
        slug=slug,
        status=ProductStatus.ACTIVE,
        price=Decimal(10),
        variants=[NewVariant(title="One", sku=slug, price=Decimal(10), is_primary=True)],
    )
    return db.products.create_with_variants(new).product
