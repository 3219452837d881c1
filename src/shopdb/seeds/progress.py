"""How a seed run shows its progress: a rich bar on a terminal, plain lines otherwise."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from time import perf_counter
from typing import TYPE_CHECKING, Protocol, TextIO

if TYPE_CHECKING:
    from rich.progress import TaskID

log = logging.getLogger("shopdb.seeds")


class Progress(Protocol):
    """One step at a time: ``start(step, total)``, ``advance(n)`` as rows go in, ``finish()``."""

    def start(self, step: str, total: int) -> None: ...

    def advance(self, done: int = 1) -> None: ...

    def finish(self) -> None: ...


class LineProgress:
    """Plain lines: one when a step starts and one when it ends (and every tenth of a step of
    1,000 or more), to ``stream`` when given, always to the ``shopdb.seeds`` logger."""

    def __init__(self, profile: str, stream: TextIO | None) -> None:
        self._profile = profile
        self._stream = stream
        self._step = ""
        self._total = self._done = self._next_line = 0
        self._started = 0.0

    def start(self, step: str, total: int) -> None:
        self._step, self._total, self._done = step, total, 0
        self._next_line = max(total // 10, 1) if total >= 1000 else total + 1
        self._started = perf_counter()
        self._say(f"{step}: {total} to seed")

    def advance(self, done: int = 1) -> None:
        self._done += done
        if self._done >= self._next_line and self._done < self._total:
            self._say(f"{self._step}: {self._done}/{self._total}")
            self._next_line += max(self._total // 10, 1)

    def finish(self) -> None:
        seconds = perf_counter() - self._started
        self._say(f"{self._step}: {self._total} done in {seconds:.2f} s")

    def _say(self, text: str) -> None:
        line = f"seed {self._profile}: {text}"
        log.info(line)
        if self._stream is not None:
            print(line, file=self._stream, flush=True)


class RichProgress:
    """A rich progress bar per step, on standard error."""

    def __init__(self, profile: str) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as Bars

        self._bars = Bars(
            TextColumn(f"seed {profile}: {{task.description:<12}}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
        )
        self._task: TaskID | None = None
        self._total = 0

    def start(self, step: str, total: int) -> None:
        self._task, self._total = self._bars.add_task(step, total=total), total

    def advance(self, done: int = 1) -> None:
        if self._task is not None:
            self._bars.advance(self._task, done)

    def finish(self) -> None:
        if self._task is not None:
            self._bars.update(self._task, completed=self._total)
        self._task = None

    def __enter__(self) -> RichProgress:
        self._bars.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._bars.stop()


@contextmanager
def progress_for(profile: str, progress: bool | None) -> Iterator[Progress]:
    """True: a rich bar; False: the logger only; None: a bar when standard error is a
    terminal, plain lines on it otherwise."""
    if progress is None:
        progress = sys.stderr.isatty()
        if not progress:
            yield LineProgress(profile, sys.stderr)
            return
    if not progress:
        yield LineProgress(profile, None)
        return
    with RichProgress(profile) as bars:
        yield bars
