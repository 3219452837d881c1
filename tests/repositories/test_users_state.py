"""Users under random sequences of operations behave like a simple model of them.

hypothesis drives creates, patches, soft deletes, restores and failed logins in any order;
after every step the database and a plain dict agree on who exists, in which status, and
what every read returns. Each run happens in one transaction that is rolled back.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    rule,
    run_state_machine_as_test,
)

from shopdb import ConflictError, Database, NotFoundError, Transaction
from shopdb.errors import IllegalUserStatusChange
from shopdb.models import UserStatus
from shopdb.models.audit import Actor
from tests.support.factories import new_user

LOCALS = ["ann", "bob", "cy", "dee"]


@dataclass
class Expected:
    email: str
    status: UserStatus
    deleted: bool
    failures: int


class _Rollback(Exception):
    pass


def _machine(db: Database) -> type[RuleBasedStateMachine]:
    class Users(RuleBasedStateMachine):
        ids = Bundle("ids")

        def __init__(self) -> None:
            super().__init__()
            self._scope = db.transaction()
            self.tx: Transaction = self._scope.__enter__()
            self.model: dict[UUID, Expected] = {}
            self.suspended_when_deleted: dict[UUID, bool] = {}

        def teardown(self) -> None:
            self._scope.__exit__(_Rollback, _Rollback(), None)

        def _taken(self, email: str) -> bool:
            return any(e.email.lower() == email.lower() for e in self.model.values())

        @rule(target=ids, local=st.sampled_from(LOCALS), upper=st.booleans())
        def create(self, local: str, upper: bool) -> UUID | None:
            email = f"{local.upper() if upper else local}@example.com"
            if self._taken(email):
                with pytest.raises(ConflictError), self.tx.savepoint():
                    self.tx.users.create(new_user(email=email))
                return None
            user = self.tx.users.create(new_user(email=email))
            self.model[user.id] = Expected(email, UserStatus.ACTIVE, False, 0)
            return user.id

        @rule(user_id=ids, status=st.sampled_from([UserStatus.ACTIVE, UserStatus.SUSPENDED]))
        def set_status(self, user_id: UUID | None, status: UserStatus) -> None:
            target = user_id or UUID(int=0)
            expected = self.model.get(target)
            move = (
                self.tx.users.suspend
                if status is UserStatus.SUSPENDED
                else self.tx.users.reactivate
            )
            if expected is None or expected.deleted:
                with pytest.raises(NotFoundError):
                    move(target, Actor.system())
                return
            if expected.status is status:
                with pytest.raises(IllegalUserStatusChange):
                    move(target, Actor.system())
                return
            assert move(target, Actor.system()).status == status
            expected.status = status

        @rule(user_id=ids)
        def soft_delete(self, user_id: UUID | None) -> None:
            target = user_id or UUID(int=0)
            expected = self.model.get(target)
            if expected is None or expected.deleted:
                with pytest.raises(NotFoundError):
                    self.tx.users.soft_delete(target)
                return
            self.tx.users.soft_delete(target)
            self.suspended_when_deleted[target] = expected.status is UserStatus.SUSPENDED
            expected.deleted, expected.status = True, UserStatus.DELETED

        @rule(user_id=ids)
        def restore(self, user_id: UUID | None) -> None:
            target = user_id or UUID(int=0)
            expected = self.model.get(target)
            if expected is None or not expected.deleted:
                with pytest.raises(NotFoundError):
                    self.tx.users.restore(target)
                return
            kept = (
                UserStatus.SUSPENDED if self.suspended_when_deleted[target] else UserStatus.ACTIVE
            )
            assert self.tx.users.restore(target).status == kept  # a suspension survives a delete
            expected.deleted, expected.status = False, kept

        @rule(user_id=ids)
        def fail_login(self, user_id: UUID | None) -> None:
            target = user_id or UUID(int=0)
            expected = self.model.get(target)
            if expected is None or expected.deleted:
                with pytest.raises(NotFoundError):
                    self.tx.users.record_failed_login(target)
                return
            expected.failures += 1
            user = self.tx.users.record_failed_login(target)
            assert user.failed_login_count == expected.failures
            limit = db.settings.login_max_failures
            assert (user.lockout_until is not None) == (expected.failures >= limit)

        @rule(user_id=consumes(ids))
        def forget(self, user_id: UUID | None) -> None:
            """Drop an id from the pool so later rules pick among fewer users."""

        @invariant()
        def counts_agree(self) -> None:
            live = [e for e in self.model.values() if not e.deleted]
            assert self.tx.users.count() == len(live)
            for status in (UserStatus.ACTIVE, UserStatus.SUSPENDED):
                wanted = sum(e.status == status for e in live)
                assert self.tx.users.count(status=status) == wanted

        @invariant()
        def reads_agree(self) -> None:
            for user_id, expected in self.model.items():
                found = self.tx.users.find_by_email(expected.email.swapcase())
                assert (found.id if found else None) == (None if expected.deleted else user_id)
                assert self.tx.users.email_exists(expected.email)

        @invariant()
        def listing_pages_through_exactly_the_live_users(self) -> None:
            seen: list[UUID] = []
            cursor = None
            while True:
                page = self.tx.users.list_users(limit=2, cursor=cursor)
                seen += [user.id for user in page.items]
                if page.next_cursor is None:
                    break
                cursor = page.next_cursor
            live = {i for i, e in self.model.items() if not e.deleted}
            assert len(seen) == len(set(seen)) and set(seen) == live

    return Users


def test_users_agree_with_a_model_under_random_operations(db: Database) -> None:
    machine = _machine(db)
    # One database for every run is intended: each run is its own rolled-back transaction.
    machine.TestCase.settings = settings(
        max_examples=25,
        stateful_step_count=20,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    run_state_machine_as_test(machine, settings=machine.TestCase.settings)
