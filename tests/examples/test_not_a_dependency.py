"""The example shop is not a dependency of the library: importing shopdb (the sync and the
async API) loads none of the examples extra's packages, and the wheel ships no example."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES_EXTRA = ("fastapi", "starlette", "httpx", "uvicorn")


def test_the_library_imports_none_of_the_examples_packages() -> None:
    code = (
        "import sys\nimport shopdb, shopdb.database, shopdb.models, shopdb.repositories\n"
        "from shopdb import AsyncDatabase\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {EXAMPLES_EXTRA!r}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout == "[]\n"


def test_the_examples_extra_is_its_own_and_the_wheel_leaves_examples_out() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    extras = project["project"]["optional-dependencies"]
    named = {spec.split(">")[0].split("=")[0] for spec in extras["examples"]}

    assert named == {"fastapi", "httpx", "uvicorn"}
    assert not any(dep.split(">")[0] in named for dep in project["project"]["dependencies"])
    assert "examples" in extras["dev"][0]  # shopdb[...,examples]: CI has them
    wheel = project["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert wheel["packages"] == ["src/shopdb"]
