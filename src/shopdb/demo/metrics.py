"""Prometheus metrics of the demo's process, served while it runs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import start_http_server


@contextmanager
def serving_metrics(port: int, addr: str = "127.0.0.1") -> Iterator[str]:
    """prometheus_client's HTTP server on addr:port for the block; yields its /metrics URL."""
    server, thread = start_http_server(port, addr)
    try:
        yield f"http://{addr}:{server.server_port}/metrics"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
