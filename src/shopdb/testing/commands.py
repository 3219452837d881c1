"""The installed `shopdb` console script, run in a process of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SHOPDB = Path(sys.executable).parent / "shopdb"


def run_shopdb(
    *args: str, database_url: str | None = None, timeout_s: float = 120
) -> subprocess.CompletedProcess[str]:
    """``shopdb ARGS`` with DATABASE_URL set to ``database_url`` (removed when None)."""
    return subprocess.run(
        [str(SHOPDB), *args],
        env=command_env(database_url),
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )


def command_env(database_url: str | None) -> dict[str, str]:
    """This process's environment with DATABASE_URL set to ``database_url`` (or removed)."""
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    return env
