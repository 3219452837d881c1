"""db.transaction() and db.run_in_transaction() on real concurrent transactions."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import psycopg
import pytest
from psycopg import IsolationLevel

from shopdb import ConflictError, Database, Transaction, TransientError
from shopdb.models import NewUser
from tests.core.conftest import HASH


def _new(email: str) -> NewUser:
    return NewUser(email=email, password_hash=HASH)


class Boom(Exception):
    pass


def test_a_transaction_commits_on_normal_exit(db: Database) -> None:
    with db.transaction() as tx:
        tx.users.create(_new("a@example.com"))
        tx.users.create(_new("b@example.com"))

    assert db.users.count() == 2


def test_a_transaction_rolls_back_everything_on_any_exception(db: Database) -> None:
    with pytest.raises(Boom), db.transaction() as tx:
        tx.users.create(_new("a@example.com"))
        raise Boom

    assert db.users.count() == 0


def test_a_failed_statement_rolls_back_the_earlier_ones(db: Database) -> None:
    with pytest.raises(ConflictError), db.transaction() as tx:
        tx.users.create(_new("a@example.com"))
        tx.users.create(_new("A@example.com"))

    assert db.users.count() == 0


def test_the_transaction_sees_its_own_writes_and_others_do_not_until_commit(
    db: Database,
) -> None:
    with db.transaction() as tx, ThreadPoolExecutor(1) as elsewhere:
        created = tx.users.create(_new("a@example.com"))
        assert tx.users.get(created.id) == created
        assert elsewhere.submit(db.users.count).result() == 0
    assert db.users.count() == 1


def test_isolation_and_read_only_apply_to_that_transaction_only(db: Database) -> None:
    with db.transaction(isolation=IsolationLevel.SERIALIZABLE, read_only=True) as tx:
        level = tx.connection.execute("SHOW transaction_isolation").fetchone()
        read_only = tx.connection.execute("SHOW transaction_read_only").fetchone()
    with db.transaction() as tx:
        default = tx.connection.execute("SHOW transaction_isolation").fetchone()

    assert level == ("serializable",) and read_only == ("on",)
    assert default == ("read committed",)


def _count_then_insert(barrier: threading.Barrier, email: str, calls: list[str]) -> Any:
    def work(tx: Transaction) -> int:
        calls.append(email)
        seen = tx.users.count()
        if calls.count(email) == 1:
            barrier.wait(timeout=30)
        tx.users.create(_new(email))
        return seen

    return work


def test_run_in_transaction_retries_a_real_serialization_failure_and_succeeds(
    db: Database,
) -> None:
    barrier = threading.Barrier(2)
    calls: list[str] = []
    results: dict[str, int] = {}

    def run(email: str) -> None:
        work = _count_then_insert(barrier, email, calls)
        results[email] = db.run_in_transaction(work, isolation=IsolationLevel.SERIALIZABLE)

    threads = [threading.Thread(target=run, args=(e,)) for e in ("x@example.com", "y@example.com")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert db.users.count() == 2
    # One of them ran again (more than once if its retry overlapped the other's COMMIT).
    assert len(calls) >= 3, "one of the two transactions had to run again"
    assert sorted(results.values()) == [0, 1]


def test_a_function_that_always_conflicts_ends_in_transient_error_after_the_attempts(
    db: Database, db_url: str
) -> None:
    attempts: list[int] = []

    def always_conflicts(tx: Transaction) -> None:
        attempts.append(1)
        tx.users.count()
        with psycopg.connect(db_url, autocommit=True) as other, other.transaction():
            other.execute("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE")
            other.execute("SELECT count(*) FROM users").fetchone()
            other.execute(
                "INSERT INTO users (email, password_hash) VALUES (%s, %s)",
                [f"rival{len(attempts)}@example.com", HASH],
            )
        tx.users.create(_new(f"mine{len(attempts)}@example.com"))

    with pytest.raises(TransientError, match="gave up after 3 attempts"):
        db.run_in_transaction(always_conflicts, isolation=IsolationLevel.SERIALIZABLE, attempts=3)

    assert len(attempts) == 3
    assert db.users.find_by_email("mine1@example.com") is None
