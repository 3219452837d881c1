"""The prepared-statement cache with about as many named queries as the project will have.

psycopg keeps ``prepared_max`` prepared statements per connection (100 by default) and
evicts the least recently used one to prepare another. Run in rotation, 200 distinct
statements then never stay prepared at 100: each call deallocates one statement and
prepares another (two extra round trips' worth of work). DATABASE_PREPARED_MAX (256 by
default) holds them all. Each benchmark times one rotation over the 200 statements on a
one-connection pool, then checks how many statement names changed over two more rotations.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from shopdb import Database, Settings
from shopdb.core.queries import load_queries

QUERIES = load_queries(Path(__file__).parent / "sql")["prepared_cache"]
STATEMENTS = [query for name, query in sorted(QUERIES.items()) if name.startswith("q")]
NAMES = QUERIES["prepared_names"]


def _rotation(db: Database) -> None:
    for i, query in enumerate(STATEMENTS):
        db._runner.run(query, {"n": i})


def _prepared(db: Database) -> set[str]:
    return {row["name"] for row in db._runner.run(NAMES, {})}


@pytest.mark.benchmark(group="prepared cache, 200 statements")
@pytest.mark.parametrize("prepared_max", [100, 256])
def test_rotation_over_200_statements(
    benchmark: BenchmarkFixture, bench_url: str, prepared_max: int
) -> None:
    settings = Settings(
        database_url=bench_url,
        database_pool_min=1,
        database_pool_max=1,
        database_prepared_max=prepared_max,
        database_prepare_threshold=0,
        database_application_name="shopdb-bench-prepared",
    )
    with Database(settings) as db:
        for _ in range(3):
            _rotation(db)
        benchmark.pedantic(_rotation, args=(db,), rounds=30)  # type: ignore[no-untyped-call]
        before = _prepared(db)
        _rotation(db)
        _rotation(db)
        after = _prepared(db)
    churn = len(after - before)
    benchmark.extra_info.update(
        prepared_max=prepared_max, statements=len(STATEMENTS), names_changed=churn
    )
    if prepared_max >= len(STATEMENTS) + 1:
        assert churn == 0, f"{churn} prepared statements replaced with prepared_max={prepared_max}"
    else:
        assert churn > 0
