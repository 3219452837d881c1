"""An HTTP endpoint for Prometheus: this process's query and pool metrics at /metrics."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Self
from wsgiref.simple_server import WSGIServer

from prometheus_client import REGISTRY, start_http_server
from prometheus_client.registry import CollectorRegistry

if TYPE_CHECKING:
    from shopdb.settings import Settings


class MetricsServer:
    """prometheus_client's HTTP server for ``registry`` (the process's own by default), on
    ``addr:port`` (port 0: any free port, then ``port`` tells which). Loopback by default:
    pass ``addr="0.0.0.0"`` for a Prometheus on another host."""

    def __init__(
        self, port: int, addr: str = "127.0.0.1", registry: CollectorRegistry = REGISTRY
    ) -> None:
        self.addr = addr
        self.port = port
        self._registry = registry
        self._server: WSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Where Prometheus scrapes: http://addr:port/metrics."""
        return f"http://{self.addr}:{self.port}/metrics"

    def start(self) -> Self:
        """Serve from a daemon thread until ``stop()``; OSError if the port is taken."""
        self._server, self._thread = start_http_server(self.port, self.addr, self._registry)
        self.port = self._server.server_port
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def serve_database_metrics(
    settings: Settings,
    port: int,
    addr: str,
    interval_s: float,
    out: Callable[[str], None] = print,
    stop: threading.Event | None = None,
) -> None:
    """`shopdb metrics-serve`: open a Database on ``settings``, serve /metrics, and check its
    health every ``interval_s`` (health.ping: query and pool metrics with live figures), and
    count the rows of the default partitions (shopdb_partition_default_rows), until ``stop``
    is set, SIGTERM or Ctrl-C."""
    from shopdb.database import Database
    from shopdb.observability.partition_metrics import DefaultRowsSampler

    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    sampler = DefaultRowsSampler(settings)
    with Database(settings, name="metrics-serve") as db, MetricsServer(port, addr) as server:
        out(f"serving metrics on {server.url} (database {settings.safe_url})")
        try:
            while not stop.is_set():
                health = db.health()
                if not health.ok:
                    out(f"health check failed: {health.error}")
                sampler.sample()
                stop.wait(interval_s)
        except KeyboardInterrupt:
            pass
        finally:
            sampler.close()
    out("stopped")
