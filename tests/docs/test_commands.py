"""Every shell command of the guides is run by a test (or is the suite, or a measurement):
a guide that shows a command no test runs fails here. How to register one: registry.py."""

from __future__ import annotations

import ast
import re
import shlex

from tests.docs.commands import commands_of, documented_commands, without_comment
from tests.docs.guides import ROOT
from tests.docs.registry import MEASUREMENTS, RUN_BY, SUITE, runners_of


def _defined_tests(path: str) -> set[str]:
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}


def _make_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-z][a-z0-9-]*):", text, re.MULTILINE))


def test_every_command_a_guide_shows_is_run_by_a_test() -> None:
    registered = RUN_BY.keys() | SUITE | MEASUREMENTS
    unregistered = {
        command: where
        for command, where in documented_commands().items()
        if command not in registered
    }

    assert unregistered == {}, (
        "these commands are shown by a guide but no test runs them; run them in a test and "
        "register them in tests/docs/registry.py (docs/testing.md, 'Documented commands')"
    )


def test_every_registered_command_is_still_shown_by_a_guide() -> None:
    shown = documented_commands().keys()

    assert sorted((RUN_BY.keys() | SUITE | MEASUREMENTS) - shown) == []


def test_every_registered_test_exists() -> None:
    missing = []
    for command in RUN_BY:
        for node in runners_of(command):
            path, _, name = node.partition("::")
            if not (ROOT / path).is_file() or name not in _defined_tests(path):
                missing.append(f"{command!r}: {node}")

    assert missing == []


def test_the_suite_commands_are_what_ci_and_the_makefile_run() -> None:
    targets = _make_targets()

    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for command in SUITE:
        words = command.split()
        assert words[0] == "make" and words[1] in targets, command


def test_every_file_and_make_target_a_measurement_names_exists() -> None:
    targets = _make_targets()
    missing = []
    for command in MEASUREMENTS:
        words = [w for w in shlex.split(command) if "=" not in w or w.startswith("-")]
        if words[0] == "make":
            missing += [w for w in words[1:] if w not in targets]
        for word in words:
            if word.startswith(("benchmarks", ".venv/")) and "/" in word:
                missing += [word] if not (ROOT / word).exists() else []
            if word.startswith("benchmarks.") and "/" not in word:
                module = ROOT / (word.replace(".", "/") + ".py")
                missing += [word] if not module.exists() else []

    assert missing == []


def test_commands_are_read_as_a_shell_reads_them() -> None:
    block = [
        "shopdb migrate   # apply",
        "pg_dump --format=custom \\",
        '    --file="$BACKUP_FILE" "$DATABASE_URL"   # the dump',
        "# a comment line",
        "",
        "echo 'a # not a comment'",
        "$ shopdb status",
    ]

    assert [command for _, command in commands_of(block)] == [
        "shopdb migrate",
        'pg_dump --format=custom --file="$BACKUP_FILE" "$DATABASE_URL"',
        "echo 'a # not a comment'",
        "shopdb status",
    ]
    assert without_comment("a#b # c") == "a#b "
