"""What auth needs from UserRepository: email verification, two-factor, password change,
suspension (audited), and lockout under concurrent login attempts."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from uuid import uuid4

import pytest
from pydantic import SecretStr

from shopdb import Database, Settings, Transaction
from shopdb.errors import ConstraintViolation, IllegalUserStatusChange, InvalidInput, NotFoundError
from shopdb.models import Actor, ActorType, PasswordChange, TwoFactorSetup, User, UserStatus
from shopdb.testing import with_settings
from tests.support.factories import bcrypt_like_hash, new_user

TOTP = "JBSWY3DPEHPK3PXPJBSWY3DP"


@pytest.fixture
def user(tx: Transaction) -> User:
    return tx.users.create(new_user())


def credentials_of(tx: Transaction, user: User) -> tuple[str, str | None, bool]:
    found = tx.users.get_credentials(user.email)
    assert found is not None
    secret = found.two_factor_secret
    return (
        found.password_hash.get_secret_value(),
        None if secret is None else secret.get_secret_value(),
        found.two_factor_enabled,
    )


# --- verify_email ------------------------------------------------------------------------


def test_verify_email_marks_the_email_verified_with_a_time(tx: Transaction, user: User) -> None:
    verified = tx.users.verify_email(user.id)

    assert verified.email_verified and verified.email_verified_at is not None
    assert tx.users.get(user.id) == verified


def test_verifying_twice_keeps_the_first_verification_time(tx: Transaction, user: User) -> None:
    first = tx.users.verify_email(user.id)
    second = tx.users.verify_email(user.id)

    assert second.email_verified_at == first.email_verified_at


def test_verify_email_of_an_unknown_or_deleted_user_is_not_found(
    tx: Transaction, user: User
) -> None:
    tx.users.soft_delete(user.id)

    for user_id in (uuid4(), user.id):
        with pytest.raises(NotFoundError):
            tx.users.verify_email(user_id)


# --- two-factor --------------------------------------------------------------------------


def test_enable_two_factor_stores_the_secret_and_reads_never_return_it(
    tx: Transaction, user: User
) -> None:
    enabled = tx.users.enable_two_factor(user.id, TwoFactorSetup(secret=SecretStr(TOTP)))

    assert enabled.two_factor_enabled
    assert "two_factor_secret" not in User.model_fields
    for read in (enabled, tx.users.get(user.id), tx.users.find_by_email(user.email)):
        assert TOTP not in repr(read) and TOTP not in str(read)
    assert credentials_of(tx, user)[1:] == (TOTP, True)


def test_disable_two_factor_turns_it_off_and_erases_the_secret(tx: Transaction, user: User) -> None:
    tx.users.enable_two_factor(user.id, TwoFactorSetup(secret=SecretStr(TOTP)))

    disabled = tx.users.disable_two_factor(user.id)

    assert not disabled.two_factor_enabled
    assert credentials_of(tx, user)[1:] == (None, False)


@pytest.mark.parametrize(
    "secret", ["", "SHORT", "lowercase" * 3, "JBSWY3DP" * 17, "JBSWY3DPEHPK3PX1"]
)
def test_a_two_factor_secret_that_is_not_base32_is_refused_without_echoing_it(secret: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        TwoFactorSetup(secret=SecretStr(secret))

    assert secret == "" or secret not in str(caught.value)
    assert [error["field"] for error in caught.value.errors] == ["secret"]


def test_two_factor_changes_of_an_unknown_user_are_not_found(tx: Transaction) -> None:
    with pytest.raises(NotFoundError):
        tx.users.enable_two_factor(uuid4(), TwoFactorSetup(secret=SecretStr(TOTP)))
    with pytest.raises(NotFoundError):
        tx.users.disable_two_factor(uuid4())


# --- change_password_hash ------------------------------------------------------------------


def test_change_password_hash_replaces_the_hash_and_returns_no_hash(
    tx: Transaction, user: User
) -> None:
    new_hash = bcrypt_like_hash("changed")

    changed = tx.users.change_password_hash(
        user.id, PasswordChange(password_hash=SecretStr(new_hash))
    )

    assert credentials_of(tx, user)[0] == new_hash
    assert new_hash not in repr(changed)


@pytest.mark.parametrize("bad", ["hunter2-plain-password", "$2b$short", "$2b$12$" + "x" * 1100])
def test_a_password_that_is_not_a_hash_is_refused_without_echoing_it(bad: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        PasswordChange(password_hash=SecretStr(bad))

    assert bad not in str(caught.value)
    assert [error["field"] for error in caught.value.errors] == ["password_hash"]


def test_change_password_hash_of_an_unknown_user_is_not_found(tx: Transaction) -> None:
    with pytest.raises(NotFoundError):
        tx.users.change_password_hash(
            uuid4(), PasswordChange(password_hash=SecretStr(bcrypt_like_hash()))
        )


# --- suspend / reactivate ----------------------------------------------------------------


def test_suspend_moves_an_active_user_to_suspended_and_audits_it(
    tx: Transaction, user: User
) -> None:
    admin = tx.users.create(new_user())

    suspended = tx.users.suspend(user.id, Actor.admin(admin.id))

    assert suspended.status is UserStatus.SUSPENDED
    (entry,) = tx.audit.history("users", user.id).items
    assert (entry.action, entry.actor_type, entry.user_id) == ("suspend", ActorType.ADMIN, admin.id)
    assert entry.before is not None and entry.before["status"] == "ACTIVE"
    assert entry.after is not None and entry.after["status"] == "SUSPENDED"


def test_reactivate_moves_a_suspended_user_back_and_audits_it(tx: Transaction, user: User) -> None:
    tx.users.suspend(user.id, Actor.system())

    active = tx.users.reactivate(user.id, Actor.system())

    assert active.status is UserStatus.ACTIVE
    actions = [entry.action for entry in tx.audit.history("users", user.id).items]
    assert actions == ["reactivate", "suspend"]


def test_suspending_a_suspended_user_is_refused_and_writes_nothing(
    tx: Transaction, user: User
) -> None:
    tx.users.suspend(user.id, Actor.system())

    with pytest.raises(IllegalUserStatusChange, match="SUSPENDED"):
        tx.users.suspend(user.id, Actor.system())

    assert len(tx.audit.history("users", user.id).items) == 1


def test_reactivating_an_active_user_is_refused_and_writes_nothing(
    tx: Transaction, user: User
) -> None:
    with pytest.raises(IllegalUserStatusChange):
        tx.users.reactivate(user.id, Actor.system())

    assert tx.users.get(user.id).status is UserStatus.ACTIVE
    assert tx.audit.history("users", user.id).items == []


@pytest.mark.parametrize("method", ["suspend", "reactivate"])
def test_status_changes_of_unknown_or_deleted_users_are_not_found(
    tx: Transaction, user: User, method: str
) -> None:
    tx.users.soft_delete(user.id)

    for user_id in (uuid4(), user.id):
        with pytest.raises(NotFoundError):
            getattr(tx.users, method)(user_id, Actor.system())
    assert tx.audit.history("users", user.id).items == []


def test_a_suspension_whose_audit_fails_leaves_the_user_active(tx: Transaction, user: User) -> None:
    ghost = Actor(type=ActorType.ADMIN, user_id=uuid4())  # no such user: the audit insert fails

    with pytest.raises(ConstraintViolation, match="acting user"):
        tx.users.suspend(user.id, ghost)

    assert tx.users.get(user.id).status is UserStatus.ACTIVE


def test_two_racing_suspensions_let_exactly_one_through(db: Database) -> None:
    user = db.users.create(new_user())
    barrier = threading.Barrier(2, timeout=10)

    def attempt(_: int) -> str:
        barrier.wait()
        try:
            db.users.suspend(user.id, Actor.system())
        except IllegalUserStatusChange:
            return "refused"
        return "suspended"

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(attempt, range(2)))

    assert outcomes == ["refused", "suspended"]
    assert len(db.audit.history("users", user.id).items) == 1


# --- lockout -------------------------------------------------------------------------------


def test_n_concurrent_failures_count_exactly_n(db: Database, settings: Settings) -> None:
    user = db.users.create(new_user())
    threads = 8
    barrier = threading.Barrier(threads, timeout=10)

    def fail(_: int) -> int:
        barrier.wait()
        return db.users.record_failed_login(user.id).failed_login_count

    with ThreadPoolExecutor(max_workers=threads) as pool:
        counts = sorted(pool.map(fail, range(threads)))

    assert counts == list(range(1, threads + 1))
    assert db.users.get(user.id).failed_login_count == threads


def test_concurrent_failures_reaching_the_maximum_lock_exactly_once(settings: Settings) -> None:
    strict = with_settings(settings, login_max_failures=4, login_lockout_s=600)
    with Database(strict) as db:
        user = db.users.create(new_user())
        barrier = threading.Barrier(4, timeout=10)

        def fail(_: int) -> User:
            barrier.wait()
            return db.users.record_failed_login(user.id)

        with ThreadPoolExecutor(max_workers=4) as pool:
            results = list(pool.map(fail, range(4)))
        final = db.users.get(user.id)

    locked = [r for r in results if r.lockout_until is not None]
    assert [r.failed_login_count for r in locked] == [4]
    assert final.lockout_until == locked[0].lockout_until


def test_failures_during_a_lockout_do_not_extend_it(
    tx: Transaction, user: User, settings: Settings
) -> None:
    for _ in range(settings.login_max_failures):
        locked = tx.users.record_failed_login(user.id)

    again = tx.users.record_failed_login(user.id)

    assert again.lockout_until == locked.lockout_until
    assert again.failed_login_count == settings.login_max_failures + 1


def test_a_failure_after_the_lockout_ran_out_starts_the_count_again(settings: Settings) -> None:
    quick = with_settings(settings, login_max_failures=2, login_lockout_s=1)
    with Database(quick) as db:
        user = db.users.create(new_user())
        db.users.record_failed_login(user.id)
        locked = db.users.record_failed_login(user.id)
        assert locked.lockout_until is not None
        with db.transaction() as tx:
            # Move the lockout into the past instead of waiting for it.
            tx.connection.execute(
                "UPDATE users SET lockout_until = now() - interval '1 second' WHERE id = %s",
                [user.id],
            )

        after = db.users.record_failed_login(user.id)

    assert (after.failed_login_count, after.lockout_until) == (1, None)


def test_a_successful_login_after_concurrent_failures_resets_the_count(db: Database) -> None:
    user = db.users.create(new_user())
    barrier = threading.Barrier(4, timeout=10)

    def fail(_: int) -> None:
        barrier.wait()
        db.users.record_failed_login(user.id)

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(fail, range(4)))
    reset = db.users.record_successful_login(user.id)

    assert (reset.failed_login_count, reset.lockout_until) == (0, None)
    assert db.users.get(user.id).failed_login_count == 0


def test_lockout_time_comes_from_settings(tx: Transaction, user: User, settings: Settings) -> None:
    for _ in range(settings.login_max_failures):
        locked = tx.users.record_failed_login(user.id)

    assert locked.lockout_until is not None
    assert locked.lockout_until - locked.updated_at <= timedelta(seconds=settings.login_lockout_s)
