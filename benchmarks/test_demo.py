"""The README's promise for `make demo`: the whole story plays in under a minute.

Each round runs the installed console script, as `make demo` does (`shopdb demo`), on an
empty database of its own (``shopdb_demo_bench_*``, dropped at the end), so every round
migrates, fills the demo shop and plays the story from the start. The budget is asserted on
the median; tests/cli/test_demo.py checks what the demo prints and serves, not its time.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from shopdb.testing import scratch_database
from shopdb.testing.commands import SHOPDB, command_env
from shopdb.testing.servers import Server

ROUNDS = 3
DEMO_BUDGET_S = 60.0

pytestmark = pytest.mark.timeout(900)


@pytest.fixture
def demo_databases(bench_server: Server) -> Iterator[Callable[[], str]]:
    """Make empty databases named as demo databases on the bench server; all dropped."""
    with ExitStack() as stack:

        def make() -> str:
            return stack.enter_context(scratch_database(bench_server, "shopdb_demo_bench"))

        yield make


def _play(url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SHOPDB), "--database-url", url, "demo"],
        env=command_env(None),
        capture_output=True,
        text=True,
        timeout=DEMO_BUDGET_S * 5,
        check=False,
    )


def _median(benchmark: BenchmarkFixture) -> float:
    stats: Any = benchmark.stats
    return float(stats.stats.median)


def test_the_demo_plays_the_story_on_an_empty_database(
    benchmark: BenchmarkFixture, demo_databases: Callable[[], str]
) -> None:
    benchmark.group = "demo"
    urls = iter([demo_databases() for _ in range(ROUNDS)])

    def setup() -> tuple[tuple[str], dict[str, Any]]:
        return (next(urls),), {}

    played = benchmark.pedantic(  # type: ignore[no-untyped-call]  # pytest-benchmark's own
        _play, setup=setup, rounds=ROUNDS, iterations=1
    )

    assert played.returncode == 0, played.stderr
    assert "no N+1 found" in played.stdout
    assert _median(benchmark) < DEMO_BUDGET_S
