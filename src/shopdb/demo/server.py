"""Which PostgreSQL server the demo runs on: DATABASE_URL's, the local one, or a throwaway
cluster of its own (shopdb.demo.cluster)."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager

from shopdb.core.errors import DatabaseUnavailable
from shopdb.demo.cluster import ClusterError, throwaway_cluster
from shopdb.demo.database import DEMO_DATABASE, demo_url

LOCAL = ("127.0.0.1", 5432)


class NoDemoServer(DatabaseUnavailable):
    """No server is named or reachable, and none can be started here."""


def reachable(host: str, port: int, timeout_s: float = 1.0) -> bool:
    """True when something accepts TCP connections at host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return True
    except OSError:
        return False


@contextmanager
def demo_database_url(
    database_url: str | None,
    *,
    is_reachable: Callable[[str, int], bool] = reachable,
    is_root: bool | None = None,
    say: Callable[[str], None] = print,
) -> Iterator[str]:
    """The URL of the demo's database: on DATABASE_URL's server when it is given, else on the
    local server, else on a throwaway cluster that lives as long as the block."""
    if database_url:
        yield demo_url(database_url)
        return
    if is_reachable(*LOCAL):
        yield f"postgresql://postgres@{LOCAL[0]}:{LOCAL[1]}/{DEMO_DATABASE}"
        return
    root = os.geteuid() == 0 if is_root is None else is_root
    if root:
        raise NoDemoServer(
            "no PostgreSQL server for the demo: DATABASE_URL is not set, nothing answers on "
            f"{LOCAL[0]}:{LOCAL[1]}, and PostgreSQL refuses to start a throwaway cluster as "
            "root. Set DATABASE_URL=postgresql://user:password@host:5432/postgres, start the "
            "local server (pg_ctlcluster --skip-systemctl-redirect 15 main start), or run the "
            "demo as a user other than root."
        )
    say("no server named or running: starting a throwaway PostgreSQL cluster")
    with ExitStack() as running:
        try:
            port = running.enter_context(throwaway_cluster())
        except ClusterError as exc:
            raise NoDemoServer(f"no PostgreSQL server for the demo: {exc}") from exc
        yield f"postgresql://postgres@127.0.0.1:{port}/{DEMO_DATABASE}"
