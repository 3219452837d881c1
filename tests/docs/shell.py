"""Running a documented command as a reader would: bash, from the checkout, with .venv/bin
first on the PATH and the variables the guide tells them to export."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from tests.docs.commands import documented_commands, exported_name
from tests.docs.guides import ROOT
from tests.docs.registry import runners_of

VENV_BIN = Path(sys.executable).parent


def run_documented(
    command: str,
    env: Mapping[str, str],
    *,
    cwd: Path = ROOT,
    returncode: int = 0,
    user: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``command``, exactly as a guide shows it, and check its exit status.

    ``export NAME=...`` is not run: its value is the guide's example, and ``env`` holds the
    test's own for NAME (a scratch database in place of the guide's server). The command
    must be shown by a guide and registered to the test running it (tests/docs/registry.py).
    ``user`` runs it as that operating system user (``runuser``: the caller is root), as a
    guide's commands for the server's own user are run.
    """
    assert command in documented_commands(), f"no guide shows {command!r}"
    running = os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" ", 1)[0].split("[")[0]
    assert running in runners_of(command), f"{command!r}: register {running} in RUN_BY"
    name = exported_name(command)
    if name is not None:
        assert name in env, f"{command!r}: the test gives no value of {name}"
        return subprocess.CompletedProcess(command, 0, "", "")
    as_user = ["runuser", "-u", user, "--"] if user else []
    result = subprocess.run(
        [*as_user, "bash", "-euo", "pipefail", "-c", command],
        cwd=cwd,
        env={**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}", **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == returncode, f"{command}: {result.stdout}{result.stderr}"
    return result
