"""The /metrics endpoint: MetricsServer in this process, and `shopdb metrics-serve` as its own
process (what a Prometheus scrapes)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from shopdb import Database, Settings
from shopdb.observability.metrics_server import MetricsServer
from tests.support.waiting import until


def scrape(url: str) -> str:
    """The exposition text served at ``url``."""
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - a local URL
        text: str = response.read().decode()
    return text


def free_port() -> int:
    """A local port free just now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_the_server_exports_this_process_query_and_pool_metrics(db: Database) -> None:
    db.users.count()
    with MetricsServer(0) as server:
        text = scrape(server.url)

    assert server.url == f"http://127.0.0.1:{server.port}/metrics" and server.port > 0
    assert 'shopdb_query_duration_seconds_count{query="users.count"}' in text
    assert f'shopdb_pool_pool_size{{pool="{db.name}"}}' in text
    assert 'shopdb_slow_queries_total{query="users.get"} ' in text
    assert 'shopdb_query_errors_total{query="users.get"} ' in text


def test_a_stopped_server_frees_its_port() -> None:
    with MetricsServer(0) as server:
        port = server.port
    with MetricsServer(port) as again:
        assert again.port == port
    with socket.socket() as sock, pytest.raises(ConnectionRefusedError):
        sock.settimeout(1)
        sock.connect(("127.0.0.1", port))


def test_metrics_serve_serves_health_and_pool_metrics_until_sigterm(settings: Settings) -> None:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": settings.database_url.get_secret_value()}
    command = [str(Path(sys.executable).with_name("shopdb")), "metrics-serve"]
    command += ["--port", str(port), "--interval", "0.05"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/metrics"
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith(f"serving metrics on {url}")

        def pinged_twice() -> bool:
            for line in scrape(url).splitlines():
                if line.startswith('shopdb_query_duration_seconds_count{query="health.ping"}'):
                    return float(line.split()[-1]) >= 2
            return False

        until(pinged_twice, what="two health checks")
        assert 'shopdb_pool_pool_size{pool="metrics-serve"}' in scrape(url)
    finally:
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=10)

    assert process.returncode == 0
    assert out.strip().endswith("stopped")
