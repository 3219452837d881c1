"""Every `shopdb` command and library entry point fails with one clear shopdb error when the
server cannot be reached or DATABASE_URL is malformed: no traceback, never the password."""

from __future__ import annotations

import io
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from rich.console import Console

from shopdb import Database, DatabaseUnavailable, Settings, migrations, schema_doc
from shopdb.cli import main
from shopdb.demo import ensure_demo_database, run_demo

PASSWORD = "hunter2SECRET"
COMMANDS = {
    "migrate": ["migrate"],
    "rollback": ["rollback"],
    "rollback --to": ["rollback", "--to", "0001_foundation"],
    "status": ["status"],
    "break-lock": ["break-lock"],
    "schema-doc": ["schema-doc", "--output", "{tmp}/schema.md"],
    "schema-doc --check": ["schema-doc", "--output", "{tmp}/schema.md", "--check"],
    "demo": ["demo"],
    "check": ["check"],
    "explain": ["explain", "users.get"],
    "report": ["report"],
}


@pytest.fixture(scope="module")
def closed_port() -> int:
    """A local port nothing listens on: bound by the system, read, and closed again."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture(
    params=[
        f"postgresql://shop:{PASSWORD}@127.0.0.1:{{port}}/shop",
        f"postgresql://shop@127.0.0.1:{{port}}/shopdb_demo?password={PASSWORD}",
    ],
    ids=["user-info", "query-and-demo-database"],
)
def unreachable_url(request: pytest.FixtureRequest, closed_port: int) -> str:
    """A URL with a password, to a server that refuses connections."""
    url: str = request.param.format(port=closed_port)
    return url


def shopdb(url: str, args: list[str], tmp_path: Path) -> Result:
    """Run the `shopdb` command in-process with DATABASE_URL=url."""
    argv = [arg.format(tmp=tmp_path) for arg in args]
    return CliRunner().invoke(main, argv, env={"DATABASE_URL": url})


def assert_one_clear_line(result: Result, *expected: str) -> None:
    """Exit code 1, one line `Error: ...` holding ``expected``, no traceback, no password."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert len(result.output.splitlines()) == 1, result.output
    assert result.output.startswith("Error: ")
    for text in expected:
        assert text in result.output
    assert "Traceback" not in result.output
    assert PASSWORD not in result.output


@pytest.mark.parametrize("args", COMMANDS.values(), ids=COMMANDS.keys())
def test_every_command_reports_an_unreachable_server_in_one_line(
    args: list[str], unreachable_url: str, closed_port: int, tmp_path: Path
) -> None:
    result = shopdb(unreachable_url, args, tmp_path)

    assert_one_clear_line(
        result, "could not connect to postgresql://shop", f":{closed_port}/", "refused"
    )


@pytest.mark.parametrize("args", COMMANDS.values(), ids=COMMANDS.keys())
@pytest.mark.parametrize(
    "url",
    [
        f"postgresql://u:{PASSWORD}@127.0.0.1:notaport/db",
        f"postgresql://u:{PASSWORD[:4]}/{PASSWORD[4:]}@127.0.0.1/db",
    ],
    ids=["bad-port", "unescaped-slash"],
)
def test_every_command_reports_a_malformed_url_in_one_line(
    args: list[str], url: str, tmp_path: Path
) -> None:
    result = shopdb(url, args, tmp_path)

    assert_one_clear_line(result, "DATABASE_URL")
    assert PASSWORD[4:] not in result.output


ENTRY_POINTS: dict[str, Callable[[str], Any]] = {
    "migrations.apply": lambda url: migrations.apply(Settings(database_url=url)),
    "migrations.rollback": lambda url: migrations.rollback(Settings(database_url=url)),
    "migrations.status": lambda url: migrations.status(Settings(database_url=url)),
    "migrations.break_lock": lambda url: migrations.break_lock(Settings(database_url=url)),
    "schema_doc.generate": lambda url: schema_doc.generate(Settings(database_url=url)),
    "ensure_demo_database": ensure_demo_database,
    "run_demo": lambda url: run_demo(url, console=Console(file=io.StringIO())),
}


@pytest.mark.parametrize("call", ENTRY_POINTS.values(), ids=ENTRY_POINTS.keys())
def test_every_entry_point_raises_database_unavailable_without_the_password(
    call: Callable[[str], Any], closed_port: int
) -> None:
    url = f"postgresql://shop@127.0.0.1:{closed_port}/shopdb_demo?password={PASSWORD}"

    with pytest.raises(DatabaseUnavailable, match="Connection refused") as raised:
        call(url)

    assert str(raised.value).startswith(
        f"could not connect to postgresql://shop@127.0.0.1:{closed_port}/shopdb_demo?password=***"
    )
    assert PASSWORD not in str(raised.value)


def test_opening_a_database_on_an_unreachable_server_masks_a_query_password(
    closed_port: int,
) -> None:
    url = f"postgresql://shop@127.0.0.1:{closed_port}/shop?password={PASSWORD}"
    database = Database(Settings(database_url=url, database_pool_min=1, database_pool_max=1))

    with pytest.raises(DatabaseUnavailable) as raised:
        database.open(timeout_s=0.5)

    assert f"127.0.0.1:{closed_port}/shop?password=***" in str(raised.value)
    assert PASSWORD not in str(raised.value)
