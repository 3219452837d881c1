"""UserRepository: accounts, credentials and login bookkeeping over sql/users.sql."""

from __future__ import annotations

from uuid import UUID

from shopdb.core.paging import NEWEST_FIRST, CursorPage
from shopdb.core.unit import unit_of_work
from shopdb.models.audit import Actor
from shopdb.models.users import (
    Credentials,
    IllegalUserStatusChange,
    NewUser,
    PasswordChange,
    TwoFactorSetup,
    User,
    UserPatch,
    UserStatus,
)
from shopdb.repositories.base import ShopRepository


class UserRepository(ShopRepository):
    """Users. Soft-deleted users are hidden from every read but ``get_including_deleted``."""

    namespace = "users"
    entity = "user"
    tables = ("users",)
    locks = {"lock_for_status_change": User}
    queries = {
        "create": User,
        "get": User,
        "get_including_deleted": User,
        "find_by_email": User,
        "list_users": User,
        "list_users_by_status": User,
        "update": User,
        "soft_delete": None,
        "restore": User,
        "count": None,
        "email_exists": None,
        "record_failed_login": User,
        "record_successful_login": User,
        "get_credentials": Credentials,
        "verify_email": User,
        "enable_two_factor": User,
        "disable_two_factor": User,
        "change_password_hash": User,
        "set_status": User,
    }
    constraint_messages = {
        "users_email_lower_key": "a user with this email already exists",
        "users_email_format_check": "the email address is malformed",
        "users_password_hash_format_check": "password_hash must be a hash, never a password",
        "users_failed_login_count_check": "failed_login_count cannot be negative",
        "users_two_factor_check": "two-factor cannot be on without a secret",
    }

    def create(self, new: NewUser) -> User:
        """Store a new active user; ConflictError when the email is taken in any letter case."""
        return self._get(
            "create",
            User,
            email=new.email,
            password_hash=new.password_hash.get_secret_value(),
            first_name=new.first_name,
            last_name=new.last_name,
            phone=new.phone,
        )

    def get(self, user_id: UUID) -> User:
        """The live user with this id; NotFoundError otherwise."""
        return self._get("get", User, id=user_id)

    def get_including_deleted(self, user_id: UUID) -> User:
        """The user with this id even when soft-deleted; NotFoundError otherwise."""
        return self._get("get_including_deleted", User, id=user_id)

    def find_by_email(self, email: str) -> User | None:
        """The live user with this email in any letter case, or None."""
        return self._find("find_by_email", User, email=email)

    def list_users(
        self, *, status: UserStatus | None = None, limit: int = 20, cursor: str | None = None
    ) -> CursorPage[User]:
        """Live users newest first, ``limit`` at a time; pass ``next_cursor`` for the next page."""
        if status is None:
            return self._page("list_users", User, NEWEST_FIRST, limit=limit, cursor=cursor)
        return self._page(
            "list_users_by_status", User, NEWEST_FIRST, limit=limit, cursor=cursor, status=status
        )

    def update(self, user_id: UUID, patch: UserPatch) -> User:
        """Apply the fields set in ``patch``; NotFoundError when there is no live user."""
        return self._patch("update", User, patch, id=user_id)

    def soft_delete(self, user_id: UUID) -> None:
        """Hide the user from reads (status DELETED); NotFoundError when there is no live user."""
        self._touch("soft_delete", id=user_id)

    def restore(self, user_id: UUID) -> User:
        """Bring back a soft-deleted user as ACTIVE; NotFoundError when there is none."""
        return self._get("restore", User, id=user_id)

    def count(self, *, status: UserStatus | None = None) -> int:
        """How many live users there are, optionally in one status."""
        return int(self._value("count", status=status))

    def email_exists(self, email: str) -> bool:
        """Whether the email is taken in any letter case, soft-deleted users included."""
        return bool(self._value("email_exists", email=email))

    def record_failed_login(self, user_id: UUID) -> User:
        """Count a failed login; after LOGIN_MAX_FAILURES the account locks for LOGIN_LOCKOUT_S."""
        settings = self._context.settings
        return self._get(
            "record_failed_login",
            User,
            id=user_id,
            max_failures=settings.login_max_failures,
            lockout_seconds=settings.login_lockout_s,
        )

    def record_successful_login(self, user_id: UUID) -> User:
        """Reset the failure count and lockout and stamp last_login_at."""
        return self._get("record_successful_login", User, id=user_id)

    def get_credentials(self, email: str) -> Credentials | None:
        """The password hash and login state of the live user with this email, or None."""
        return self._find("get_credentials", Credentials, email=email)

    def verify_email(self, user_id: UUID) -> User:
        """Mark the email verified (the first verification time is kept); NotFoundError."""
        return self._get("verify_email", User, id=user_id)

    def enable_two_factor(self, user_id: UUID, setup: TwoFactorSetup) -> User:
        """Store the two-factor secret and turn it on; only get_credentials reads it back."""
        secret = setup.secret.get_secret_value()
        return self._get("enable_two_factor", User, id=user_id, two_factor_secret=secret)

    def disable_two_factor(self, user_id: UUID) -> User:
        """Turn two-factor off and erase its secret; NotFoundError when there is no live user."""
        return self._get("disable_two_factor", User, id=user_id)

    def change_password_hash(self, user_id: UUID, change: PasswordChange) -> User:
        """Replace the password hash (sessions are the caller's to revoke); NotFoundError."""
        new_hash = change.password_hash.get_secret_value()
        return self._get("change_password_hash", User, id=user_id, password_hash=new_hash)

    def suspend(self, user_id: UUID, actor: Actor) -> User:
        """ACTIVE -> SUSPENDED, audited (``users``/``suspend``). Locks the user row.
        IllegalUserStatusChange when the user is not ACTIVE; NotFoundError when absent."""
        return self._move(user_id, UserStatus.ACTIVE, UserStatus.SUSPENDED, "suspend", actor)

    def reactivate(self, user_id: UUID, actor: Actor) -> User:
        """SUSPENDED -> ACTIVE, audited (``users``/``reactivate``). Locks the user row.
        IllegalUserStatusChange when the user is not SUSPENDED; NotFoundError when absent."""
        return self._move(user_id, UserStatus.SUSPENDED, UserStatus.ACTIVE, "reactivate", actor)

    @unit_of_work
    def _move(
        self, user_id: UUID, source: UserStatus, target: UserStatus, move: str, actor: Actor
    ) -> User:
        """Lock the user, check the transition, apply it, audit it."""
        before = self._lock("lock_for_status_change", User, id=user_id)
        if before.status is not source:
            raise IllegalUserStatusChange(
                f"user: cannot {move} a user whose status is {before.status}"
            )
        after = self._get("set_status", User, id=user_id, status=target)
        return self._audited(actor, move, user_id, before, after)
