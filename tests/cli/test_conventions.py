"""The conventions every `shopdb` command follows, checked for each command the group holds
(a new command is checked as soon as it is added): --help, usage errors exit 2, the global
--database-url, --verbose and --version, one-line errors without a traceback."""

from __future__ import annotations

import os
import socket
from importlib.metadata import version
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from shopdb.cli import main
from shopdb.testing.commands import run_shopdb

COMMANDS = sorted(main.commands)


@pytest.fixture(scope="module")
def unreachable_url() -> str:
    """A URL to a local port nothing listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return f"postgresql://shop@127.0.0.1:{port}/shop"


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_with_a_description_and_help_for_each_option(name: str) -> None:
    command = main.commands[name]

    result = CliRunner().invoke(main, [name, "--help"], env={"DATABASE_URL": None})

    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: shopdb {name} ")
    assert command.help and command.help.strip()
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, f"shopdb {name} {param.opts[0]} has no help text"


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_refuses_an_unknown_option_with_exit_code_2(name: str) -> None:
    result = CliRunner().invoke(main, [name, "--no-such-option"], env={"DATABASE_URL": None})

    assert result.exit_code == 2, result.output
    assert "No such option '--no-such-option'" in result.output
    assert f"Try 'shopdb {name} --help' for help." in result.output


def test_the_installed_command_answers_help_version_and_usage_errors() -> None:
    top = run_shopdb("--help")
    short = run_shopdb("-h")
    status = run_shopdb("status", "--help")
    shown = run_shopdb("--version")
    unknown = run_shopdb("no-such-command")
    bare = run_shopdb()
    bad_value = run_shopdb("rollback", "--count", "x")

    assert (top.returncode, short.stdout) == (0, top.stdout)
    for name in COMMANDS:
        assert f"  {name} " in top.stdout
    for option in ("--database-url URL", "--verbose", "--version"):
        assert option in top.stdout
    assert status.returncode == 0 and status.stdout.startswith("Usage: shopdb status ")
    assert (shown.returncode, shown.stdout) == (0, f"shopdb {version('shopdb')}\n")
    assert unknown.returncode == 2 and "No such command 'no-such-command'" in unknown.stderr
    assert bare.returncode == 2 and "Commands:" in bare.stdout + bare.stderr
    assert bad_value.returncode == 2
    assert "--count" in bad_value.stderr and "a number or 'all'" in bad_value.stderr


def test_database_url_option_overrides_the_environment(db_url: str, unreachable_url: str) -> None:
    option_wins = run_shopdb("--database-url", db_url, "status", database_url=unreachable_url)
    option_fails = run_shopdb("--database-url", unreachable_url, "status", database_url=db_url)
    environment = run_shopdb("status", database_url=db_url)

    assert option_wins.returncode == 0, option_wins.stderr
    assert option_wins.stdout == environment.stdout
    assert option_wins.stdout.startswith("applied  0001_foundation")
    assert option_fails.returncode == 1
    assert option_fails.stderr.startswith(f"Error: could not connect to {unreachable_url}")


def test_database_url_option_stands_in_for_a_missing_environment_variable(db_url: str) -> None:
    missing = run_shopdb("status")
    given = run_shopdb("--database-url", db_url, "status")

    assert (missing.returncode, missing.stdout) == (1, "")
    assert missing.stderr == "Error: invalid shopdb settings: DATABASE_URL is not set\n"
    assert given.returncode == 0, given.stderr


def test_database_url_option_leaves_the_environment_as_it_was(db_url: str) -> None:
    before = os.environ.get("DATABASE_URL")

    result = CliRunner().invoke(main, ["--database-url", db_url, "status"])

    assert result.exit_code == 0, result.output
    assert os.environ.get("DATABASE_URL") == before


def test_an_error_is_one_line_on_stderr_and_exit_code_1(unreachable_url: str) -> None:
    result = run_shopdb("migrate", database_url=unreachable_url)

    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"Error: could not connect to {unreachable_url}: ")
    assert "Traceback" not in result.stderr


def test_verbose_shows_the_traceback_before_the_one_line_error(unreachable_url: str) -> None:
    result = run_shopdb("--verbose", "migrate", database_url=unreachable_url)

    lines = result.stderr.splitlines()
    assert result.returncode == 1
    assert lines[0] == "Traceback (most recent call last):"
    assert "shopdb.core.errors.DatabaseUnavailable: could not connect" in result.stderr
    assert lines[-1].startswith(f"Error: could not connect to {unreachable_url}: ")


def test_an_unexpected_error_is_one_line_naming_its_kind_and_how_to_see_more(
    db_url: str, tmp_path: Path
) -> None:
    (tmp_path / "a-file").write_text("not a directory")
    output = str(tmp_path / "a-file" / "schema.md")

    quiet = run_shopdb("schema-doc", "--output", output, database_url=db_url)
    verbose = run_shopdb("-v", "schema-doc", "--output", output, database_url=db_url)

    assert (quiet.returncode, quiet.stdout) == (1, "")
    assert quiet.stderr.count("\n") == 1
    assert quiet.stderr.startswith("Error: FileExistsError: ")
    assert quiet.stderr.endswith(" (--verbose shows the traceback)\n")
    assert verbose.returncode == 1
    assert verbose.stderr.startswith("Traceback (most recent call last):")
    assert verbose.stderr.splitlines()[-1].startswith("Error: FileExistsError: ")
