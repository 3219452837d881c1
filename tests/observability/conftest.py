"""Fixtures of the observability tests: the toolkit tests' side connection and stored user,
and the slow queries of tests/observability/sql/slow.sql."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from shopdb.core.queries import Query, load_queries
from tests.core.conftest import admin, user

__all__ = ["admin", "slow", "user"]


@pytest.fixture(scope="session")
def slow() -> Mapping[str, Query]:
    """Queries slow on purpose (pg_sleep), run through the real runner by the tests."""
    return load_queries(Path(__file__).parent / "sql")["slow"]
