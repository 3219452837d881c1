"""The shell commands the guides show: every line of their ```sh blocks, as one would type it.

A line ending in a backslash goes on on the next one; a trailing ``# comment`` and a leading
``$`` prompt are dropped; runs of blanks become one. The text left is the command's key, the
one the registers of tests/docs/test_commands.py and tests/docs/run_elsewhere.py name.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from tests.docs.guides import ROOT, code_blocks, guides

_EXPORT = re.compile(r"export (?P<name>[A-Za-z_][A-Za-z0-9_]*)=")


def without_comment(line: str) -> str:
    """``line`` up to an unquoted ``#`` that starts a word (the shell's comment)."""
    quote = ""
    for index, char in enumerate(line):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1].isspace()):
            return line[:index]
    return line


def commands_of(lines: list[str]) -> list[tuple[int, str]]:
    """The commands of one block's lines: (index of the first line, command)."""
    commands: list[tuple[int, str]] = []
    pending, first = "", 0
    for index, raw in enumerate(lines):
        line = without_comment(raw).rstrip()
        if not pending:
            first = index
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        text = " ".join((pending + line).split())
        pending = ""
        text = text.removeprefix("$ ")
        if text:
            commands.append((first, text))
    return commands


def documented_commands() -> dict[str, list[str]]:
    """Every command of every guide, with where it is shown (``docs/x.md:12``)."""
    where: dict[str, list[str]] = defaultdict(list)
    for path in guides():
        name = path.relative_to(ROOT).as_posix()
        for fence, lines in code_blocks(path, "sh"):
            for index, command in commands_of(lines):
                where[command].append(f"{name}:{fence + 1 + index}")
    return dict(where)


def exported_name(command: str) -> str | None:
    """NAME for ``export NAME=...``; None for any other command."""
    match = _EXPORT.match(command)
    return match["name"] if match else None


def shown_in(path: Path) -> list[str]:
    """The commands of one guide, in the order it shows them."""
    return [command for _, lines in code_blocks(path, "sh") for _, command in commands_of(lines)]
