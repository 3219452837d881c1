"""One problem `shopdb check` found, and the table it prints them as."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """Where (a sql/ file or a repository class), which query (or ``-``), and what is wrong."""

    file: str
    query: str
    problem: str


def format_table(problems: Sequence[Problem]) -> str:
    """The problems as an aligned text table with a header, one problem per line."""
    header = Problem("file", "query", "problem")
    rows = [header, *sorted(problems)]
    file_width = max(len(row.file) for row in rows)
    query_width = max(len(row.query) for row in rows)
    lines = [
        f"{row.file:{file_width}}  {row.query:{query_width}}  {' '.join(row.problem.split())}"
        for row in rows
    ]
    lines.insert(1, f"{'-' * file_width}  {'-' * query_width}  {'-' * 7}")
    return "\n".join(lines)
