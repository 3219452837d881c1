"""aiosql's pyformat SQL (``%(name)s``, ``%%``) turned into the server's ``$n`` form.

psycopg reads every ``%`` of a query it is given parameters for (and aiosql always gives a
dict): ``%%`` is one literal ``%``, ``%(name)s`` (or ``b``/``t``) a placeholder, and any other
``%`` is an error or, worse, silently something else. The rules below are psycopg's own
(``psycopg._queries._re_placeholder``), so what this module calls a stray ``%`` is exactly what
psycopg would trip on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PERCENT = re.compile(r"%(?:\(([^)]+)\)(.)|(.)|$)", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Numbered:
    """One query in the server's form: ``sql`` with ``$1..$n``, ``names[i]`` bound to ``$i+1``."""

    sql: str
    names: tuple[str, ...]
    stray_percents: tuple[int, ...]  # offsets in the pyformat text of each undoubled ``%``


def number_placeholders(pyformat_sql: str) -> Numbered:
    """``pyformat_sql`` with each distinct ``%(name)s`` as ``$k`` (in order of first use)."""
    names: list[str] = []
    strays: list[int] = []
    parts: list[str] = []
    cursor = 0
    for match in _PERCENT.finditer(pyformat_sql):
        parts.append(pyformat_sql[cursor : match.start()])
        cursor = match.end()
        name, fmt, other = match.groups()
        if name is not None and fmt in ("s", "b", "t"):
            if name not in names:
                names.append(name)
            parts.append(f"${names.index(name) + 1}")
        elif other == "%":
            parts.append("%")
        else:
            strays.append(match.start())
            parts.append(match.group(0))
    parts.append(pyformat_sql[cursor:])
    return Numbered("".join(parts), tuple(names), tuple(strays))


def line_of(text: str, offset: int) -> int:
    """The 1-based line number of ``offset`` in ``text``."""
    return text.count("\n", 0, offset) + 1
