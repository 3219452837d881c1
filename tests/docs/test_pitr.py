"""docs/backup.md, point-in-time recovery, run as written: steps 2 and 3 of the outline on a
throwaway cluster archiving its WAL with the settings of step 1. The recovered database holds
exactly what was committed before the target time, and every migration."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from time import monotonic, sleep
from typing import Any

import psycopg
import pytest

from shopdb import Settings, migrations
from tests.docs.guides import DOCS, code_blocks
from tests.docs.shell import run_documented

GUIDE = DOCS / "backup.md"
GUIDE_ARCHIVE = "/var/lib/postgresql/wal_archive"
SERVER_USER = "postgres" if os.geteuid() == 0 else None  # PostgreSQL refuses to run as root
BASE_BACKUP = [
    "export ADMIN_URL=postgresql://postgres@db.internal:5432/postgres",
    "export BASE_BACKUP=/backups/base-2026-12-02",
    'pg_basebackup --pgdata="$BASE_BACKUP" --wal-method=stream --checkpoint=fast '
    '--dbname="$ADMIN_URL"',
]
RECOVERY = [
    "export PGDATA=/var/lib/postgresql/15/main",
    "export WAL_ARCHIVE=/var/lib/postgresql/wal_archive",
    "export TARGET_TIME='2026-12-02 14:05:00+00'",
    "pg_ctl stop --mode=fast",
    'mv "$PGDATA" "$PGDATA.before-recovery"',
    'cp -a "$BASE_BACKUP" "$PGDATA"',
    """echo "restore_command = 'cp $WAL_ARCHIVE/%f %p'" >> "$PGDATA/postgresql.conf\"""",
    """echo "recovery_target_time = '$TARGET_TIME'" >> "$PGDATA/postgresql.conf\"""",
    """echo "recovery_target_action = 'promote'" >> "$PGDATA/postgresql.conf\"""",
    'touch "$PGDATA/recovery.signal"',
    'pg_ctl start --wait --log="$PGDATA/recovery.log"',
]
IN_RECOVERY = 'psql "$ADMIN_URL" --tuples-only --command="SELECT pg_is_in_recovery()"'

pytestmark = pytest.mark.skipif(
    not (shutil.which("initdb") and shutil.which("pg_ctl") and shutil.which("pg_basebackup")),
    reason="the PostgreSQL server binaries (initdb, pg_ctl) are not on the PATH",
)


@dataclass(frozen=True)
class Cluster:
    """A throwaway cluster archiving its WAL: its folder, data directory, archive and URL."""

    home: Path
    pgdata: Path
    archive: Path
    port: int

    def url(self, dbname: str = "postgres") -> str:
        """The URL of ``dbname`` on this cluster."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"


def _as_server_user(*command: str) -> None:
    prefix = ["runuser", "-u", SERVER_USER, "--"] if SERVER_USER else []
    subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _archive_settings(archive: Path) -> str:
    """Step 1's postgresql.conf lines, as the guide shows them, with this test's archive."""
    ini = next(
        lines for _, lines in code_blocks(GUIDE, "ini") if "archive_mode = on" in "\n".join(lines)
    )
    return "\n".join(line.strip() for line in ini).replace(GUIDE_ARCHIVE, str(archive)) + "\n"


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    home = Path(tempfile.mkdtemp(prefix="shopdb-pitr-"))
    try:
        if SERVER_USER:
            shutil.chown(home, SERVER_USER)
        found = Cluster(home, home / "data", home / "wal_archive", _free_port())
        _as_server_user("mkdir", str(found.archive))
        _as_server_user(
            "initdb", "--pgdata", str(found.pgdata), "--auth=trust", "--username=postgres",
            "--no-sync",
        )  # fmt: skip
        with (found.pgdata / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write(
                f"port = {found.port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{home}'\nfsync = off\n"
                + _archive_settings(found.archive)
            )
        _as_server_user("pg_ctl", "start", "--wait", "--pgdata", str(found.pgdata),
                        f"--log={home / 'server.log'}")  # fmt: skip
        yield found
    finally:
        for data in (home / "data", home / "data.before-recovery"):
            if (data / "postmaster.pid").exists():
                _as_server_user("pg_ctl", "stop", "--mode=immediate", "--pgdata", str(data))
        shutil.rmtree(home, ignore_errors=True)


def _add_users(url: str, batch: str, count: int) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        for n in range(count):
            conn.execute(
                "INSERT INTO users (email, password_hash) VALUES (%s, %s)",
                [f"{batch}{n}@example.com", "$2b$12$" + "p" * 53],
            )


def _batches(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT left(email, 1), count(*) FROM users GROUP BY 1 ORDER BY 1"
        ).fetchall()
    return {row[0]: row[1] for row in rows}


def _value(conn: psycopg.Connection[Any], query: str) -> Any:
    row = conn.execute(query).fetchone()
    assert row is not None
    return row[0]


def _archived_through(admin: psycopg.Connection[Any], segment: str, timeout_s: float = 60) -> None:
    deadline = monotonic() + timeout_s
    while monotonic() < deadline:
        row = admin.execute("SELECT last_archived_wal FROM pg_stat_archiver").fetchone()
        if row is not None and row[0] is not None and row[0] >= segment:
            return
        sleep(0.1)
    raise AssertionError(f"WAL segment {segment} was not archived within {timeout_s} s")


def _promoted(url: str, timeout_s: float = 60) -> None:
    deadline = monotonic() + timeout_s
    while monotonic() < deadline:
        try:
            with psycopg.connect(url, connect_timeout=2) as conn:
                row = conn.execute("SELECT pg_is_in_recovery()").fetchone()
            if row == (False,):
                return
        except psycopg.OperationalError:
            pass
        sleep(0.2)
    raise AssertionError(f"the server did not end its recovery within {timeout_s} s")


def _run(command: str, env: dict[str, str], cluster: Cluster, as_server: bool = True) -> str:
    user = SERVER_USER if as_server else None
    return run_documented(command, env, cwd=cluster.home, user=user).stdout


def test_a_recovery_to_a_moment_keeps_what_committed_before_it_and_nothing_after(
    cluster: Cluster,
) -> None:
    with psycopg.connect(cluster.url(), autocommit=True) as admin:
        admin.execute("CREATE DATABASE shop")
    shop = cluster.url("shop")
    migrations.apply(Settings(database_url=shop))
    env = {
        "ADMIN_URL": cluster.url(),
        "BASE_BACKUP": str(cluster.home / "base"),
        "PGDATA": str(cluster.pgdata),
        "WAL_ARCHIVE": str(cluster.archive),
        "DATABASE_URL": shop,
    }
    _add_users(shop, "a", 3)  # in the base backup
    for command in BASE_BACKUP:
        _run(command, env, cluster)
    _add_users(shop, "b", 4)  # after it: replayed from the archive
    with psycopg.connect(cluster.url(), autocommit=True) as admin:
        target: datetime = _value(admin, "SELECT clock_timestamp()")
        _add_users(shop, "c", 5)  # after the target: not recovered
        segment: str = _value(admin, "SELECT pg_walfile_name(pg_switch_wal())")
        _archived_through(admin, segment)
    env["TARGET_TIME"] = target.isoformat(sep=" ")

    for command in RECOVERY:
        _run(command, env, cluster)
    _promoted(cluster.url())

    assert _run(IN_RECOVERY, env, cluster).strip() == "f"
    assert _batches(shop) == {"a": 3, "b": 4}
    status = _run("shopdb status", env, cluster, as_server=False).splitlines()
    assert [line.split()[0] for line in status] == ["applied"] * len(status)
    assert "recovery stopping before commit" in (cluster.pgdata / "recovery.log").read_text()
