"""shopdb/extras.py: the library imports none of the cli extra's packages, and each part that
needs them says which extra to install when one is missing (tests/test_packaging.py does the
same with real installs; here a package is hidden by ``sys.modules[name] = None``, which the
import system and ``find_spec`` treat as not installed)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from shopdb.extras import EXTRAS, MissingExtra, missing, require

LIBRARY = (
    "shopdb",
    "shopdb.database",
    "shopdb.migrations",
    "shopdb.models",
    "shopdb.repositories",
    "shopdb.schema_doc",
    "shopdb.testing",
    "shopdb.observability.slow_plans",
    "shopdb.observability.metrics_server",
)


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )


def _hidden(*modules: str) -> str:
    return "import sys\n" + "".join(f"sys.modules[{m!r}] = None\n" for m in modules)


def test_the_library_imports_none_of_the_cli_extras_packages() -> None:
    extra = sorted(EXTRAS["cli"])
    done = _python(
        f"import sys\nimport {', '.join(LIBRARY)}\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {extra!r}))"
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout == "[]\n"


def test_require_names_the_extra_and_every_missing_distribution(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "argon2", None)
    monkeypatch.setitem(sys.modules, "rich", None)

    with pytest.raises(MissingExtra) as raised:
        require("shopdb.seeds", "argon2", "rich")

    assert str(raised.value) == (
        "shopdb.seeds needs the cli extra: pip install 'shopdb[cli]' "
        "(not installed: argon2-cffi, rich)"
    )
    assert raised.value.name == "argon2"
    assert missing("cli", "click") == []


def test_require_passes_when_the_extra_is_installed() -> None:
    require("shopdb's command line")


def test_a_module_outside_the_extra_is_a_mistake_of_the_caller() -> None:
    with pytest.raises(ValueError, match="psycopg not in the cli extra"):
        missing("cli", "psycopg")


@pytest.mark.parametrize(
    ("module", "hidden", "named"),
    [
        ("shopdb.cli", "click", "shopdb's command line"),
        ("shopdb.seeds", "argon2", "shopdb.seeds"),
        ("shopdb.demo", "rich", "shopdb.demo"),
        ("shopdb.check", "pglast", "shopdb.check"),
    ],
)
def test_each_part_of_the_cli_extra_raises_missing_extra_without_its_package(
    module: str, hidden: str, named: str
) -> None:
    done = _python(
        _hidden(hidden) + "from shopdb.extras import MissingExtra\n"
        f"try:\n    import {module}\nexcept MissingExtra as exc:\n    print(exc)\n"
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{named} needs the cli extra: pip install 'shopdb[cli]'")
    assert f"not installed: {EXTRAS['cli'][hidden]}" in done.stdout


def test_the_command_without_click_says_which_extra_to_install_and_exits_1() -> None:
    done = _python(_hidden("click") + "from shopdb.__main__ import main\nmain()\n")

    assert done.returncode == 1
    assert done.stderr == (
        "shopdb's command line needs the cli extra: pip install 'shopdb[cli]' "
        "(not installed: click)\n"
    )
    assert done.stdout == ""


def test_python_m_shopdb_runs_the_command_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "shopdb", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Usage: shopdb [OPTIONS] COMMAND [ARGS]...")
