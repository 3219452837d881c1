"""Database: lifecycle of the pool, repository attributes, transactions bound to one connection."""

from __future__ import annotations

import threading
import time

import pytest

from shopdb import ConflictError, Database, DatabaseUnavailable, Settings, Transaction
from shopdb import database as database_module
from shopdb.models import NewUser
from shopdb.repositories.users import UserRepository

HASH = "$2b$12$" + "d" * 53


def test_close_waits_for_a_running_transaction_to_finish(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = Database(settings).open()
    started = threading.Event()
    close_waits = threading.Event()
    finished: list[float] = []
    pause = time.sleep

    def waiting(seconds: float) -> None:
        close_waits.set()  # close() has seen the running transaction and waits for it
        pause(seconds)

    monkeypatch.setattr(database_module, "sleep", waiting)

    def writer_held_until_close_waits() -> None:
        with db.transaction() as tx:
            started.set()
            close_waits.wait(5)
            tx.users.create(NewUser(email="late@example.com", password_hash=HASH))
        finished.append(time.monotonic())

    writer = threading.Thread(target=writer_held_until_close_waits)
    writer.start()
    assert started.wait(5)
    db.close(timeout_s=5)
    closed_at = time.monotonic()
    writer.join()

    assert close_waits.is_set()
    assert finished and finished[0] <= closed_at
    with Database(settings) as again:
        assert again.users.email_exists("late@example.com")


def test_a_closed_database_refuses_queries_with_a_shopdb_error(settings: Settings) -> None:
    db = Database(settings).open()
    db.close()

    with pytest.raises(DatabaseUnavailable):
        db.users.count()


def test_repositories_are_attributes_built_once(db: Database) -> None:
    assert isinstance(db.users, UserRepository)
    assert db.users is db.users


def test_a_transaction_offers_the_same_repositories_on_its_own_connection(db: Database) -> None:
    with db.transaction() as tx:
        assert isinstance(tx, Transaction)
        assert isinstance(tx.users, UserRepository)
        backend = tx.connection.info.backend_pid
        tx.users.count()
        assert tx.connection.info.backend_pid == backend
        assert tx.connection.info.transaction_status.name == "INTRANS"


def test_a_database_never_opened_says_so(settings: Settings) -> None:
    with pytest.raises(DatabaseUnavailable, match="not open"):
        Database(settings).users.count()


def test_a_transaction_on_a_closed_database_is_refused_with_a_shopdb_error(
    settings: Settings,
) -> None:
    db = Database(settings).open()
    db.close()

    with pytest.raises(DatabaseUnavailable), db.transaction():
        pass


def test_each_connection_carries_timeout_name_autocommit_and_prepare_settings(
    settings: Settings,
) -> None:
    from shopdb.testing import with_settings

    custom = with_settings(settings, query_timeout_ms=1234, database_prepare_threshold=None)
    with Database(custom) as db, db.pool.connection() as conn:
        timeout = conn.execute("SHOW statement_timeout").fetchone()
        name = conn.execute("SHOW application_name").fetchone()

        assert timeout == ("1234ms",)
        assert name == (settings.database_application_name,)
        assert conn.autocommit is True
        assert conn.prepare_threshold is None


def test_a_savepoint_undoes_only_its_block_and_the_transaction_goes_on(db: Database) -> None:
    with db.transaction() as tx:
        tx.users.create(NewUser(email="kept@example.com", password_hash=HASH))
        with pytest.raises(ConflictError), tx.savepoint():
            tx.users.create(NewUser(email="other@example.com", password_hash=HASH))
            tx.users.create(NewUser(email="KEPT@example.com", password_hash=HASH))
        tx.users.create(NewUser(email="after@example.com", password_hash=HASH))

    assert db.users.email_exists("kept@example.com")
    assert db.users.email_exists("after@example.com")
    assert not db.users.email_exists("other@example.com")


def test_by_default_statements_are_prepared_after_five_runs(db: Database) -> None:
    with db.pool.connection() as conn:
        assert conn.prepare_threshold == 5
