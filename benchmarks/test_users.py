"""users: each call through the repository against the same statement on raw psycopg.

Both paths of a group run in the same session on the same pool, with the same SQL text (from
sql/users.sql through load_queries) and the same kind of input, and return the same pydantic
User. Each benchmark times its own path and alternates it call by call with the other one
(paired.py says why); the group's repository/raw ratio is printed at the end of the run.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from benchmarks import raw
from benchmarks.conftest import PASSWORD_HASH, Sample
from benchmarks.paired import Path, measure
from benchmarks.ratios import RAW, REPOSITORY
from shopdb import Database
from shopdb.core.queries import load_queries
from shopdb.models.users import NewUser, User

QUERIES = load_queries()["users"]
READ_ROUNDS = 5_000  # ~1.5 s per benchmark here, the alternated calls included
WRITE_ROUNDS = 1_500  # ~2.5 s per benchmark: an autocommit insert waits for its WAL flush
PATHS = [REPOSITORY, RAW]


def _pick(paths: dict[str, Path], measured: str) -> tuple[Path, Path]:
    other = RAW if measured == REPOSITORY else REPOSITORY
    return paths[measured], paths[other]


@pytest.mark.benchmark(group="users.get")
@pytest.mark.parametrize("path", PATHS)
def test_get(benchmark: BenchmarkFixture, db: Database, sample: Sample, path: str) -> None:
    ids = itertools.cycle(sample.ids)
    query = QUERIES["get"]
    paths = {
        REPOSITORY: Path(REPOSITORY, db.users.get, ids.__next__),
        RAW: Path(
            RAW, lambda user_id: raw.fetch_user(db.pool, query, {"id": user_id}), ids.__next__
        ),
    }
    assert isinstance(measure(benchmark, *_pick(paths, path), rounds=READ_ROUNDS), User)


@pytest.mark.benchmark(group="users.find_by_email")
@pytest.mark.parametrize("path", PATHS)
def test_find_by_email(
    benchmark: BenchmarkFixture, db: Database, sample: Sample, path: str
) -> None:
    emails = itertools.cycle(sample.emails)
    query = QUERIES["find_by_email"]
    paths = {
        REPOSITORY: Path(REPOSITORY, db.users.find_by_email, emails.__next__),
        RAW: Path(
            RAW, lambda email: raw.fetch_user(db.pool, query, {"email": email}), emails.__next__
        ),
    }
    assert isinstance(measure(benchmark, *_pick(paths, path), rounds=READ_ROUNDS), User)


@pytest.mark.benchmark(group="users.create")
@pytest.mark.parametrize("path", PATHS)
def test_create(benchmark: BenchmarkFixture, db: Database, path: str) -> None:
    """The input (a validated NewUser, or the raw parameters) is made outside the timed call."""
    fresh = _fresh_emails()
    query = QUERIES["create"]

    def new_user() -> NewUser:
        return NewUser(
            email=fresh(), password_hash=PASSWORD_HASH, first_name="Bench", last_name="Write"
        )

    def params() -> dict[str, Any]:
        return {
            "email": fresh(),
            "password_hash": PASSWORD_HASH,
            "first_name": "Bench",
            "last_name": "Write",
            "phone": None,
        }

    paths = {
        REPOSITORY: Path(REPOSITORY, db.users.create, new_user),
        RAW: Path(RAW, lambda values: raw.fetch_user(db.pool, query, values), params),
    }
    assert isinstance(measure(benchmark, *_pick(paths, path), rounds=WRITE_ROUNDS), User)


def _fresh_emails() -> Callable[[], str]:
    run = uuid.uuid4().hex[:8]
    counter = itertools.count()
    return lambda: f"bench-{run}-{next(counter)}@bench.example"
