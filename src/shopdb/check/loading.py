"""The named queries of a sql/ folder, and a problem for each file aiosql refuses."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path

from shopdb.check.problems import Problem
from shopdb.core.queries import Query, load_queries

Namespaces = Mapping[str, Mapping[str, Query]]


def load(directory: Path) -> tuple[Namespaces, list[Problem]]:
    """Every query of ``directory``; a file aiosql refuses (an unused declared parameter, a
    malformed name line) is a problem of its own and the other files still load."""
    try:
        return load_queries(directory), []
    except Exception:  # aiosql raises several kinds: each file is loaded alone below
        namespaces: dict[str, Mapping[str, Query]] = {}
    problems: list[Problem] = []
    for path in sorted(directory.glob("*.sql")):
        with tempfile.TemporaryDirectory() as alone:
            (Path(alone) / path.name).symlink_to(path.resolve())
            try:
                namespaces.update(load_queries.__wrapped__(Path(alone)))
            except Exception as exc:
                reason = " ".join(str(exc).split()) or type(exc).__name__
                problems.append(
                    Problem(
                        f"{directory.name}/{path.name}", "-", f"aiosql refuses the file: {reason}"
                    )
                )
    return namespaces, problems
