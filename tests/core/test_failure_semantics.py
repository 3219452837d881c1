"""What the caller learns when things fail: known outcomes stay ordinary errors, unknown
outcomes say so, and a transaction never outlives its block."""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import threading
from collections.abc import Generator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from shopdb import (
    ConflictError,
    ConnectionLost,
    Database,
    DatabaseUnavailable,
    PoolExhausted,
    Settings,
    ShopDBError,
    Transaction,
    WriteOutcomeUnknown,
)
from shopdb.core.errors import ServerError, TransactionAborted, TransactionClosed
from shopdb.core.queries import load_queries
from shopdb.models import NewUser
from shopdb.testing import with_settings
from tests.core.conftest import HASH
from tests.support.database import backend_pids, on_local_port, terminate
from tests.support.proxy import TcpProxy
from tests.support.waiting import until

PROBE = load_queries(Path(__file__).parent / "sql")["probe"]


def test_a_write_refused_by_a_server_limit_is_an_ordinary_error_not_an_unknown_outcome(
    db: Database, admin: psycopg.Connection[Any]
) -> None:
    admin.execute("CREATE TABLE probe_indexed (value text)")
    admin.execute("CREATE INDEX probe_indexed_value_idx ON probe_indexed (value)")
    oversized = secrets.token_hex(8000)

    with pytest.raises(ServerError) as raised:
        db._runner.run(PROBE["insert_oversized"], {"value": oversized})

    assert raised.value.sqlstate == "54000"
    assert not isinstance(raised.value, ConnectionLost)
    assert oversized not in str(raised.value)
    assert db._runner.run(PROBE["count_probe"], {}) == 0


def test_a_connection_lost_during_commit_is_an_unknown_outcome(
    db: Database, admin: psycopg.Connection[Any]
) -> None:
    # A deferred trigger kills its own backend while COMMIT runs the deferred checks.
    admin.execute(
        "CREATE FUNCTION die() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NULL; END $$"
    )
    admin.execute(
        "CREATE CONSTRAINT TRIGGER die_at_commit AFTER INSERT ON users "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION die()"
    )

    with (
        pytest.raises(WriteOutcomeUnknown, match="during COMMIT"),
        db.transaction() as tx,
    ):
        tx.users.create(NewUser(email="maybe@example.com", password_hash=HASH))

    admin.execute("DROP TRIGGER die_at_commit ON users")
    assert db.users.count() == 0


def test_a_transaction_refuses_statements_after_its_block(db: Database) -> None:
    with db.transaction() as tx:
        tx.users.count()

    with pytest.raises(TransactionClosed, match=r"users\.count"):
        tx.users.count()


def test_a_transaction_after_the_server_killed_idle_connections_still_begins(
    settings: Settings, admin: psycopg.Connection[Any]
) -> None:
    three = with_settings(
        settings, database_pool_min=3, database_pool_max=3, database_application_name="stale"
    )
    with Database(three) as db:
        before = backend_pids(admin, "stale")
        terminate(admin, "stale")

        for _ in range(4):
            with db.transaction() as tx:
                tx.users.create(
                    NewUser(email=f"{os.urandom(4).hex()}@example.com", password_hash=HASH)
                )

        assert db.users.count() == 4
        assert backend_pids(admin, "stale").isdisjoint(before)


def test_a_pool_of_fixed_size_with_the_server_gone_is_unavailable_not_exhausted(
    settings: Settings, postgresql_server: Any
) -> None:
    proxy = TcpProxy(postgresql_server.host, int(postgresql_server.port))
    fixed = on_local_port(
        settings,
        proxy.port,
        database_pool_min=2,
        database_pool_max=2,
        database_pool_timeout_ms=500,
    )
    with Database(fixed) as db:
        db.users.count()
        proxy.stop()

        with pytest.raises(DatabaseUnavailable) as raised:
            db.users.count()

    assert not isinstance(raised.value, PoolExhausted)


def test_a_closed_database_can_be_opened_again(settings: Settings) -> None:
    db = Database(settings)
    with db:
        db.users.count()
    with db:
        assert db.users.count() == 0


def test_a_database_whose_open_failed_can_be_opened_again_once_reachable(
    settings: Settings, postgresql_server: Any
) -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    db = Database(on_local_port(settings, port))

    with pytest.raises(DatabaseUnavailable):
        db.open(timeout_s=2)
    proxy = TcpProxy(postgresql_server.host, int(postgresql_server.port), listen_port=port)
    try:
        with db.open(timeout_s=5):
            assert db.users.count() == 0
    finally:
        proxy.stop()


def test_a_caught_error_inside_a_transaction_does_not_commit_silently(db: Database) -> None:
    with pytest.raises(TransactionAborted, match="savepoint"), db.transaction() as tx:
        tx.users.create(NewUser(email="first@example.com", password_hash=HASH))
        with contextlib.suppress(ConflictError):
            tx.users.create(NewUser(email="FIRST@example.com", password_hash=HASH))

    assert db.users.count() == 0


def test_a_finished_transaction_gives_up_its_connection_and_savepoints(db: Database) -> None:
    with db.transaction() as tx:
        pass

    with pytest.raises(TransactionClosed):
        tx.connection.execute("SELECT 1")
    with pytest.raises(TransactionClosed), tx.savepoint():
        pass


def test_a_bad_isolation_level_leaks_no_connection(settings: Settings) -> None:
    with Database(with_settings(settings, database_pool_min=1, database_pool_max=1)) as db:
        with pytest.raises(ValueError, match="bogus"), db.transaction(isolation="bogus"):  # type: ignore[arg-type]
            pass
        with db.transaction() as tx:
            assert tx.users.count() == 0


def test_a_transaction_outliving_a_close_and_reopen_returns_its_connection_quietly(
    settings: Settings,
) -> None:
    db = Database(settings).open()
    inside, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def long_transaction() -> None:
        try:
            with db.transaction() as tx:
                inside.set()
                release.wait(5)
                tx.users.count()
        except BaseException as exc:
            errors.append(exc)

    worker = threading.Thread(target=long_transaction)
    worker.start()
    inside.wait(5)
    db.close(timeout_s=0)
    db.open()
    release.set()
    worker.join()
    db.close()

    assert errors == []


def test_a_lost_connection_caught_inside_the_block_is_not_a_silent_success(
    db: Database, admin: psycopg.Connection[Any]
) -> None:
    with pytest.raises(ConnectionLost, match="nothing was committed"), db.transaction() as tx:
        tx.users.create(NewUser(email="lost@example.com", password_hash=HASH))
        admin.execute("SELECT pg_terminate_backend(%s)", [tx.connection.info.backend_pid])
        with contextlib.suppress(ConnectionLost):
            tx.users.count()

    assert db.users.count() == 0


def test_a_transaction_left_unfinished_is_not_handed_out_again(
    db: Database, admin: psycopg.Connection[Any]
) -> None:
    def holds_a_savepoint_open(tx: Transaction) -> Generator[None, None, None]:
        with tx.savepoint():
            yield

    with pytest.raises(ShopDBError), db.transaction() as tx:
        left_open = holds_a_savepoint_open(tx)
        next(left_open)
    with contextlib.suppress(ShopDBError):
        left_open.close()

    def none_stuck() -> bool:
        # The server ends a closed connection's backend a moment after the client goes.
        stuck = admin.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE application_name = %s AND state LIKE 'idle in transaction%%'",
            [db.settings.database_application_name],
        ).fetchone()
        return stuck == (0,)

    until(none_stuck, what="no backend left idle in transaction")
    with db.transaction() as again:
        assert again.connection.info.transaction_status.name == "INTRANS"
        assert again.users.count() == 0


@pytest.mark.timeout(30)  # close() waiting out its 600 s for nothing fails here
def test_close_does_not_wait_when_no_transaction_runs(settings: Settings) -> None:
    db = Database(with_settings(settings, database_pool_min=2, database_pool_max=4)).open()
    db.users.count()

    db.close(timeout_s=600)

    assert db.pool.closed
