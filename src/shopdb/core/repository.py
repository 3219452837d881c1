"""The thin base every repository stands on: pick a named query, run it, hand back rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from shopdb.core.paging import CursorCodec
from shopdb.core.queries import Query, load_queries
from shopdb.core.runner import Runner
from shopdb.settings import Settings

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class RepositoryContext:
    """What every repository of one Database shares: its settings and its cursor signer."""

    settings: Settings
    cursors: CursorCodec


class Repository:
    """Base of the repositories; ``namespace`` names the sql/ file its queries come from."""

    namespace: ClassVar[str]

    def __init__(self, runner: Runner, context: RepositoryContext) -> None:
        self._runner = runner
        self._context = context
        self._queries: Mapping[str, Query] = load_queries()[self.namespace]

    def _one(self, name: str, **params: Any) -> Row | None:
        """The one row of a ``^`` or ``<!`` query, or None."""
        row: Row | None = self._runner.run(self._queries[name], params)
        return row

    def _all(self, name: str, **params: Any) -> list[Row]:
        """Every row of a plain SELECT."""
        rows: list[Row] = self._runner.run(self._queries[name], params)
        return rows

    def _value(self, name: str, **params: Any) -> Any:
        """The single value of a ``$`` query."""
        return self._runner.run(self._queries[name], params)

    def _count(self, name: str, **params: Any) -> int:
        """The number of rows a ``!`` statement touched."""
        count: int = self._runner.run(self._queries[name], params)
        return count
