"""The named queries of a sql/ folder, and a problem for each file aiosql refuses."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from shopdb.check.problems import Problem
from shopdb.core.queries import Query, load_queries, sql_dir

Namespaces = Mapping[str, Mapping[str, Query]]


def folder_label(directory: Path) -> str:
    """How a problem names ``directory``: ``sql``, ``sql/tools``, ``sql/extensions`` for the
    package's folders, else the folder's own name."""
    try:
        inside = directory.resolve().relative_to(sql_dir().resolve())
    except ValueError:
        return directory.name
    return (Path(sql_dir().name) / inside).as_posix()


def load_folders(directories: Iterable[Path]) -> tuple[Namespaces, dict[str, str], list[Problem]]:
    """Every query of ``directories`` as one set of namespaces, the file label of each
    namespace (``sql/tools/admin.sql``), and the problems: a refused file, a namespace that
    two folders both have (its queries would be ambiguous)."""
    namespaces: dict[str, Mapping[str, Query]] = {}
    files: dict[str, str] = {}
    problems: list[Problem] = []
    for directory in directories:
        label = folder_label(directory)
        loaded, refused = load(directory)
        problems += refused
        for namespace, queries in loaded.items():
            where = f"{label}/{namespace}.sql"
            if namespace in files:
                problems.append(
                    Problem(where, "-", f"{files[namespace]} has the same namespace: rename one")
                )
                continue
            namespaces[namespace] = queries
            files[namespace] = where
    return namespaces, files, problems


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
                        f"{folder_label(directory)}/{path.name}",
                        "-",
                        f"aiosql refuses the file: {reason}",
                    )
                )
    return namespaces, problems
