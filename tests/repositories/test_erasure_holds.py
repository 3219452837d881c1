"""An erasure that stays done (migration 0063): no row is given to an erased user, or to one
whose erasure is running, and the audit log lets go of an erased user's values and of
nothing else."""

from __future__ import annotations

import threading
import time
from typing import Any
from uuid import UUID

import psycopg
import pytest

from shopdb import Database, Transaction
from shopdb.errors import UserErased
from shopdb.models import Actor, ActorType, NewAddress, NewSession
from tests.support.factories import new_user


def address() -> NewAddress:
    return NewAddress(full_name="Ada Lovelace", line1="1 Main St", city="Istanbul", country="TR")


def test_no_row_is_written_for_an_erased_user(tx: Transaction) -> None:
    user = tx.users.create(new_user())
    tx.users.erase(user.id, Actor.system())

    with pytest.raises(UserErased) as refused, tx.savepoint():
        tx.addresses.create(user.id, address())
    assert refused.value.constraint == "addresses_owner_not_erased_check"
    with pytest.raises(UserErased), tx.savepoint():
        tx.carts.get_or_create_active(user_id=user.id)
    with pytest.raises(UserErased), tx.savepoint():
        tx.sessions.create(NewSession(user_id=user.id))
    with pytest.raises(psycopg.errors.CheckViolation), tx.connection.transaction():
        tx.connection.execute(
            "INSERT INTO addresses (user_id, full_name, line1, city, country)"
            " VALUES (%s, 'X', 'Y', 'Z', 'TR')",
            [user.id],
        )
    counts = tx.connection.execute(
        """SELECT (SELECT count(*) FROM addresses WHERE user_id = %(u)s),
                  (SELECT count(*) FROM carts WHERE user_id = %(u)s),
                  (SELECT count(*) FROM user_sessions WHERE user_id = %(u)s)""",
        {"u": user.id},
    ).fetchone()
    assert counts == (0, 0, 0)


def test_a_row_of_a_user_whose_erasure_is_running_is_refused_at_once(db: Database) -> None:
    user = db.users.create(new_user())
    outcome: list[BaseException | None] = []

    def write() -> None:
        try:
            db.addresses.create(user.id, address())
        except UserErased as refused:
            outcome.append(refused)
        else:
            outcome.append(None)

    with db.transaction() as erasing:
        erasing.users.erase(user.id, Actor.system())
        writer = threading.Thread(target=write)
        writer.start()
        writer.join(timeout=10)  # it must not wait for the erasure to end
        assert not writer.is_alive()

    assert len(outcome) == 1 and isinstance(outcome[0], UserErased)
    assert db.addresses.list_for_user(user.id) == []


def test_an_erasure_waits_for_a_write_in_flight_and_then_erases_it(
    db: Database, postgresql: psycopg.Connection[Any]
) -> None:
    user = db.users.create(new_user())
    done = threading.Event()

    def erase() -> None:
        db.users.erase(user.id, Actor.system())
        done.set()

    with db.transaction() as writing:
        written = writing.addresses.create(user.id, address())
        eraser = threading.Thread(target=erase)
        eraser.start()
        time.sleep(0.3)
        assert not done.is_set()  # the erasure waits for this transaction
    eraser.join(timeout=10)

    assert done.is_set()
    postgresql.autocommit = True
    row = postgresql.execute(
        "SELECT full_name, line1, deleted_at IS NOT NULL FROM addresses WHERE id = %s",
        [written.id],
    ).fetchone()
    assert row == ("[erased]", "[erased]", True)
    assert db.addresses.list_for_user(user.id) == []


def _audit_rows(conn: psycopg.Connection[Any], user_id: UUID) -> list[tuple[Any, ...]]:
    return conn.execute(
        "SELECT id, action, before, after, ip_address FROM audit_logs"
        " WHERE entity = 'users' AND entity_id = %s::text ORDER BY created_at",
        [user_id],
    ).fetchall()


def test_the_audit_log_redacts_only_an_erased_users_entries_and_only_by_redaction(
    tx: Transaction,
) -> None:
    staff = Actor(type=ActorType.ADMIN, user_id=tx.users.create(new_user()).id)
    user = tx.users.create(new_user())
    tx.users.suspend(user.id, staff)
    conn = tx.connection
    redact = (
        "UPDATE audit_logs SET before = audit_redacted(before), after = audit_redacted(after),"
        " ip_address = NULL, user_agent = NULL WHERE entity = 'users' AND entity_id = %s::text"
    )

    with pytest.raises(psycopg.errors.CheckViolation, match="append-only"), conn.transaction():
        conn.execute(redact, [user.id])  # the user is not erased: their entries stay whole
    tx.users.erase(user.id, Actor.system())
    with pytest.raises(psycopg.errors.CheckViolation, match="append-only"), conn.transaction():
        conn.execute(  # an erased user's entry, changed otherwise than by redaction
            "UPDATE audit_logs SET action = 'forged'"
            " WHERE entity = 'users' AND entity_id = %s::text",
            [user.id],
        )
    with pytest.raises(psycopg.errors.CheckViolation, match="append-only"), conn.transaction():
        conn.execute(
            'UPDATE audit_logs SET after = \'{"status": "ACTIVE"}\''
            " WHERE entity = 'users' AND entity_id = %s::text AND action = 'suspend'",
            [user.id],
        )
    with pytest.raises(psycopg.errors.CheckViolation, match="append-only"), conn.transaction():
        conn.execute("DELETE FROM audit_logs WHERE entity_id = %s::text", [user.id])

    rows = _audit_rows(conn, user.id)
    assert [r[1] for r in rows] == ["suspend", "erase"]
    suspension = rows[0]
    assert suspension[2]["status"] == "ACTIVE" and suspension[3]["status"] == "SUSPENDED"
    assert "email" not in suspension[2] and "email" not in suspension[3]
