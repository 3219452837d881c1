"""How the demo prints: a numbered heading per step, tables, and the closing query report."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.table import Table

from shopdb.database import Database
from shopdb.demo.report import (
    N_PLUS_ONE_AT,
    QueryFigures,
    StepQueries,
    figures,
    n_plus_one,
    repeats,
)


def demo_console() -> Console:
    """The console the demo prints on: the terminal's width, or 110 columns into a pipe."""
    console = Console()
    return console if console.is_terminal else Console(width=110)


def table(*columns: str, title: str | None = None) -> Table:
    """A compact table with these column headings (numbers right-aligned by name)."""
    grid = Table(title=title, title_justify="left", show_edge=False, pad_edge=False)
    for column in columns:
        right = column.split()[0] in {"qty", "price", "amount", "calls", "rows", "stock"}
        grid.add_column(column, justify="right" if right or column.endswith("ms") else "left")
    return grid


class Story:
    """Runs the steps of the story on ``db``: each step prints under its heading and its
    queries are captured on their own, for the report."""

    def __init__(self, db: Database, console: Console) -> None:
        self.db = db
        self.console = console
        self.steps: list[StepQueries] = []

    @contextmanager
    def step(self, title: str) -> Iterator[Callable[..., None]]:
        """``with story.step("Cart") as say: say("...")``: a numbered step of the story."""
        number = len(self.steps) + 1
        self.console.rule(f"[bold]{number}. {title}", align="left")
        with self.db.capture_queries() as records:
            yield self.console.print
        done = StepQueries(title, list(records))
        self.steps.append(done)
        self.console.print(
            f"[dim]queries: {len(done.records)}, {done.total_ms:.1f} ms[/]", highlight=False
        )

    def report(self, slow_query_ms: int) -> None:
        """The query timer's report over every step of the story."""
        every = self.steps
        records = [record for step in every for record in step.records]
        rows = figures(records, slow_query_ms)
        self.console.rule("[bold]Query report", align="left")
        self.console.print(_figures_table(rows))
        slow = [f for f in rows if f.slow]
        total_ms = sum(step.total_ms for step in every)
        self.console.print(
            f"queries run: {len(records)} ({len(rows)} named queries), {total_ms:.1f} ms in all"
        )
        if slow:
            names = ", ".join(f"{f.name} ({f.slow}x, max {f.max_ms:.1f} ms)" for f in slow)
            self.console.print(f"[red]slow queries (over {slow_query_ms} ms): {names}[/]")
        else:
            self.console.print(f"slow queries (over {slow_query_ms} ms): none")
        self._n_plus_one()

    def _n_plus_one(self) -> None:
        found = n_plus_one(self.steps)
        if found:
            for repeat in found:
                self.console.print(
                    f"[red]N+1 found: {repeat.query} ran {repeat.times} times "
                    f"in step '{repeat.step}'[/]"
                )
            return
        most = repeats(self.steps)
        worst = f"; most repeated: {most[0].query} {most[0].times}x in '{most[0].step}'"
        self.console.print(
            f"no N+1 found: no step ran the same query {N_PLUS_ONE_AT} times or more"
            + (worst if most else "")
        )


def _figures_table(rows: Sequence[QueryFigures]) -> Table:
    grid = table("query", "calls", "rows", "total ms", "p50 ms", "p95 ms", "max ms", "slow")
    for f in rows:
        grid.add_row(
            f.name,
            str(f.calls),
            str(f.rows),
            f"{f.total_ms:.2f}",
            f"{f.p50_ms:.2f}",
            f"{f.p95_ms:.2f}",
            f"{f.max_ms:.2f}",
            f"[red]{f.slow}[/]" if f.slow else "-",
        )
    return grid


def money(amount: Any, currency: str = "") -> str:
    """An amount as the shop shows it: 1,234.50 TRY."""
    return f"{amount:,.2f} {currency}".rstrip()
