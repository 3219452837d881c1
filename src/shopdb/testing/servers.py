"""Which PostgreSQL server the tests use: named, the local one, or a throwaway cluster."""

from __future__ import annotations

import os
import re
import shutil
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

# Never DATABASE_URL: that is the application's database, and tests must not write there.
TEST_URL_VARIABLES = ("SHOPDB_TEST_DATABASE_URL",)
LOCAL = ("127.0.0.1", 5432)


class NoServer(Exception):
    """No server is reachable and none can be started here."""


@dataclass(frozen=True)
class Server:
    """Where the test databases are created. ``mode`` is env, local or proc."""

    mode: str
    host: str
    port: int
    user: str
    password: str | None

    def url(self, dbname: str) -> str:
        """A URL for ``dbname`` on this server."""
        auth = self.user if self.password is None else f"{self.user}:{self.password}"
        return f"postgresql://{auth}@{self.host}:{self.port}/{dbname}"


def reachable(host: str, port: int, timeout_s: float = 1.0) -> bool:
    """True when something accepts TCP connections at host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return True
    except OSError:
        return False


def choose_server(
    env: Mapping[str, str],
    is_reachable: Callable[[str, int], bool] = reachable,
    is_root: bool | None = None,
) -> Server:
    """The server for this run; NoServer with the fix to apply when there can be none."""
    for variable in TEST_URL_VARIABLES:
        if env.get(variable):
            parts = urlsplit(env[variable])
            return Server(
                "env",
                parts.hostname or "127.0.0.1",
                parts.port or 5432,
                unquote(parts.username or "postgres"),
                unquote(parts.password) if parts.password else None,
            )
    if is_reachable(*LOCAL):
        return Server("local", *LOCAL, "postgres", None)
    root = os.geteuid() == 0 if is_root is None else is_root
    if root:
        raise NoServer(
            "no PostgreSQL server for the tests: none is named, nothing answers on "
            "127.0.0.1:5432, and PostgreSQL refuses to start a throwaway cluster as root. "
            "Set SHOPDB_TEST_DATABASE_URL=postgresql://user:password@host:port/postgres, "
            "or start the local server (pg_ctlcluster --skip-systemctl-redirect 15 main start), "
            "or run the tests as a user other than root."
        )
    return Server("proc", "127.0.0.1", 0, "postgres", None)


_DEBIAN = Path("/usr/lib/postgresql")


def server_bin(program: str) -> Path:
    """``program`` (initdb, pg_ctl) of the newest PostgreSQL here: PATH, else Debian's."""
    found = shutil.which(program)
    if found:
        return Path(found)
    versions = sorted(
        _DEBIAN.glob(f"*/bin/{program}"),
        key=lambda path: [int(n) for n in re.findall(r"\d+", path.parts[-3])],
    )
    if not versions:
        raise RuntimeError(f"{program} not found on PATH nor under {_DEBIAN}: install PostgreSQL")
    return versions[-1]
