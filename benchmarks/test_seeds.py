"""The budgets of seed 003 for seeds and migrations (issue 12, point 1): all migrations apply
to an empty database in under 30 s, and the qa profile seeds in under 60 s.

Each round gets a database of its own (``bench_seeds_*``, dropped at the end): an empty one
for the migrations, a migrated copy (CREATE DATABASE ... TEMPLATE) for the seeds. The
repeated qa run (everything already there) and a qa run at --scale 5 are measured beside it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from shopdb import Database, Settings, migrations
from shopdb.core.queries import migrations_dir
from shopdb.seeds import SeedReport, seed
from shopdb.testing import Server, scratch_database

ROUNDS = 3
MIGRATIONS_BUDGET_S = 30.0
QA_BUDGET_S = 60.0

pytestmark = pytest.mark.timeout(1800)
FORWARD_MIGRATIONS = [
    path for path in migrations_dir().glob("0*.sql") if not path.name.endswith(".rollback.sql")
]


@pytest.fixture
def databases(bench_server: Server) -> Iterator[Callable[..., str]]:
    """Make databases on the bench server (empty, or copies of a template); all dropped."""
    with ExitStack() as stack:

        def make(template: str | None = None) -> str:
            return stack.enter_context(
                scratch_database(bench_server, "bench_seeds", template=template)
            )

        yield make


@pytest.fixture
def migrated_template(databases: Callable[..., str]) -> str:
    """The name of a migrated database to copy for each seed round."""
    url = databases()
    migrations.apply(Settings(database_url=url))
    return url.rsplit("/", 1)[1]


def _median(benchmark: BenchmarkFixture) -> float:
    stats: Any = benchmark.stats
    return float(stats.stats.median)


def test_all_migrations_apply_to_an_empty_database(
    benchmark: BenchmarkFixture, databases: Callable[..., str]
) -> None:
    benchmark.group = "seeds and migrations"
    urls = iter([databases() for _ in range(ROUNDS)])

    def setup() -> tuple[tuple[Settings], dict[str, Any]]:
        return (Settings(database_url=next(urls)),), {}

    applied = benchmark.pedantic(  # type: ignore[no-untyped-call]  # pytest-benchmark's own
        migrations.apply, setup=setup, rounds=ROUNDS, iterations=1
    )

    assert len(applied) == len(FORWARD_MIGRATIONS)
    assert _median(benchmark) < MIGRATIONS_BUDGET_S


def _seed_rounds(
    benchmark: BenchmarkFixture,
    databases: Callable[..., str],
    template: str,
    *,
    scale: int = 1,
    rounds: int = ROUNDS,
    twice: bool = False,
) -> SeedReport:
    opened: list[Database] = []

    def setup() -> tuple[tuple[Database], dict[str, Any]]:
        url = databases(template)
        db = Database(Settings(database_url=url, database_pool_min=1, database_pool_max=2))
        opened.append(db.open())
        if twice:
            seed(db, "qa", scale=scale, progress=False)
        return (db,), {}

    try:
        report: SeedReport = benchmark.pedantic(  # type: ignore[no-untyped-call]
            lambda db: seed(db, "qa", scale=scale, progress=False),
            setup=setup,
            rounds=rounds,
            iterations=1,
        )
    finally:
        for db in opened:
            db.close()
    benchmark.extra_info["rows"] = sum(report.counts.values())
    benchmark.extra_info["inserted"] = sum(report.inserted.values())
    return report


def test_the_qa_profile_seeds_a_migrated_database(
    benchmark: BenchmarkFixture, databases: Callable[..., str], migrated_template: str
) -> None:
    benchmark.group = "seeds and migrations"
    report = _seed_rounds(benchmark, databases, migrated_template)

    assert sum(report.inserted.values()) > 5000
    assert _median(benchmark) < QA_BUDGET_S


def test_the_qa_profile_run_again_adds_nothing(
    benchmark: BenchmarkFixture, databases: Callable[..., str], migrated_template: str
) -> None:
    benchmark.group = "seeds and migrations"
    report = _seed_rounds(benchmark, databases, migrated_template, twice=True)

    assert set(report.inserted.values()) == {0}
    assert _median(benchmark) < QA_BUDGET_S


def test_the_qa_profile_at_scale_5(
    benchmark: BenchmarkFixture, databases: Callable[..., str], migrated_template: str
) -> None:
    benchmark.group = "seeds at scale"
    report = _seed_rounds(benchmark, databases, migrated_template, scale=5, rounds=1)

    assert report.counts["products"] == 5 * 1500
