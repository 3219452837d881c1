"""The shop as getting-started.md runs it: uvicorn with the app factory, its lifespan opening
an AsyncDatabase from the environment (DATABASE_URL), answering real HTTP, and closing the
pool when uvicorn stops (SIGINT, as Ctrl-C)."""

from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.examples.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
COMMAND = "uvicorn --factory examples.shop.app:create_app --port 8000"
"""The command of docs/getting-started.md (run here on a free port instead of 8000)."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_up(base: str, process: subprocess.Popen[str], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[0]
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"the shop did not answer within {seconds} s")


def test_uvicorn_serves_the_shop_with_the_documented_command(db_url: str) -> None:
    port = _free_port()
    words = shlex.split(COMMAND)
    words[0] = str(Path(sys.executable).parent / "uvicorn")
    words[words.index("--port") + 1] = str(port)
    env = {**os.environ, "DATABASE_URL": db_url, "DATABASE_POOL_MIN": "1"}
    process = subprocess.Popen(
        words, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process)
        with httpx.Client(base_url=base, timeout=10) as http:
            assert http.get("/products").json() == {"items": [], "next_cursor": None}
            account = {"email": "ada@example.com", "password": PASSWORD}
            assert http.post("/accounts", json=account).status_code == 201
            login = http.post("/sessions", json=account)
            assert login.status_code == 201
            me = http.get("/me", headers={"Authorization": f"Bearer {login.json()['token']}"})
            assert me.json()["email"] == "ada@example.com"
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert "Application shutdown complete" in output
