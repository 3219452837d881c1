"""SLOW_QUERY_EXPLAIN: the generic plan of a query the first time it is flagged slow, in its
slow-query record, without any parameter value; real slow queries (pg_sleep) on the server."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping

import pytest

from shopdb import Database, Settings
from shopdb.core.errors import QueryTimeout
from shopdb.core.queries import Query
from shopdb.core.runner import execute
from shopdb.models import User
from shopdb.testing import with_settings

PAUSE_S = 0.25


@pytest.fixture
def explaining(settings: Settings) -> Iterator[Database]:
    """A Database that flags queries over 100 ms and explains them."""
    with Database(with_settings(settings, slow_query_ms=100, slow_query_explain=True)) as db:
        yield db


@pytest.fixture
def slow_records(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Captures the shopdb.slow_query logger while the test runs."""
    with caplog.at_level(logging.WARNING, logger="shopdb.slow_query"):
        yield caplog


def _slow(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "shopdb.slow_query"]


def test_the_first_slow_run_is_logged_with_its_generic_plan_and_no_value(
    explaining: Database,
    slow: Mapping[str, Query],
    user: User,
    slow_records: pytest.LogCaptureFixture,
) -> None:
    params = {"email": user.email.upper(), "seconds": PAUSE_S}
    with explaining.pool.connection() as conn:
        found = execute(conn, slow["find_after_pause"], params, explaining.timer)
        execute(conn, slow["find_after_pause"], params, explaining.timer)

    assert found is not None and found["id"] == user.id
    first, second = _slow(slow_records)
    plan: str = first.plan  # type: ignore[attr-defined]
    assert "users" in plan and "lower($" in plan, plan
    assert plan in first.getMessage() and "slow query slow.find_after_pause" in first.getMessage()
    for value in (user.email, user.email.upper(), str(PAUSE_S)):
        assert value not in str(vars(first)) and value not in second.getMessage()
    assert not hasattr(second, "plan") and "plan" not in second.getMessage()


def test_explaining_a_slow_write_does_not_run_it_again(
    explaining: Database,
    slow: Mapping[str, Query],
    user: User,
    slow_records: pytest.LogCaptureFixture,
) -> None:
    with explaining.pool.connection() as conn:
        changed = execute(
            conn,
            slow["count_failure_after_pause"],
            {"id": user.id, "seconds": PAUSE_S},
            explaining.timer,
        )

    assert changed == 1
    assert explaining.users.get(user.id).failed_login_count == 1
    (record,) = _slow(slow_records)
    assert "Update on users" in record.plan  # type: ignore[attr-defined]


def test_inside_a_transaction_the_plan_leaves_the_transaction_as_it_was(
    explaining: Database,
    slow: Mapping[str, Query],
    user: User,
    slow_records: pytest.LogCaptureFixture,
) -> None:
    with explaining.transaction() as tx:
        execute(
            tx.connection,
            slow["count_failure_after_pause"],
            {"id": user.id, "seconds": PAUSE_S},
            explaining.timer,
        )
        mode = tx.connection.execute("SHOW plan_cache_mode").fetchone()
        left = tx.connection.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE name = 'shopdb_slow_plan'"
        ).fetchone()
        assert tx.users.get(user.id).failed_login_count == 1

    assert (mode, left) == (("auto",), (0,))
    assert explaining.users.get(user.id).failed_login_count == 1
    (record,) = _slow(slow_records)
    assert "Update on users" in record.plan  # type: ignore[attr-defined]


def test_a_slow_query_in_a_failed_transaction_is_explained_at_its_next_slow_run(
    explaining: Database,
    slow: Mapping[str, Query],
    user: User,
    slow_records: pytest.LogCaptureFixture,
) -> None:
    params = {"email": user.email, "seconds": PAUSE_S}
    with pytest.raises(QueryTimeout), explaining.transaction() as tx:
        tx.connection.execute("SET LOCAL statement_timeout = 150")
        execute(tx.connection, slow["find_after_pause"], params, explaining.timer)
    with explaining.pool.connection() as conn:
        execute(conn, slow["find_after_pause"], params, explaining.timer)

    failed, later = _slow(slow_records)
    assert not hasattr(failed, "plan")
    assert "lower($" in later.plan  # type: ignore[attr-defined]


def test_a_query_without_parameters_is_explained_too(
    explaining: Database, slow: Mapping[str, Query], slow_records: pytest.LogCaptureFixture
) -> None:
    with explaining.pool.connection() as conn:
        execute(conn, slow["pause"], {}, explaining.timer)

    (record,) = _slow(slow_records)
    assert record.plan.startswith("Result")  # type: ignore[attr-defined]


def test_without_the_setting_no_plan_is_taken(
    settings: Settings,
    slow: Mapping[str, Query],
    user: User,
    slow_records: pytest.LogCaptureFixture,
) -> None:
    with Database(with_settings(settings, slow_query_ms=100)) as db, db.pool.connection() as c:
        execute(c, slow["find_after_pause"], {"email": user.email, "seconds": PAUSE_S}, db.timer)

    (record,) = _slow(slow_records)
    assert not hasattr(record, "plan") and "plan" not in record.getMessage()
