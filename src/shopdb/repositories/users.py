"""UserRepository: accounts, credentials and login bookkeeping over sql/users.sql."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from shopdb.core.errors import NotFoundError, register_constraint_messages
from shopdb.core.paging import CursorPage
from shopdb.core.repository import Repository, Row
from shopdb.models.users import Credentials, NewUser, User, UserPatch, UserStatus

register_constraint_messages(
    {
        "users_email_lower_key": "a user with this email already exists",
        "users_email_format_check": "the email address is malformed",
        "users_password_hash_format_check": "password_hash must be a hash, never a password",
        "users_failed_login_count_check": "failed_login_count cannot be negative",
    }
)

_START = (datetime.max.replace(tzinfo=UTC), UUID(int=(1 << 128) - 1))
_SHAPE = (datetime, UUID)


class UserRepository(Repository):
    """Users. Soft-deleted users are hidden from every read but ``get_including_deleted``."""

    namespace = "users"

    def create(self, new: NewUser) -> User:
        """Store a new active user; ConflictError when the email is taken in any letter case."""
        row = self._one(
            "create",
            email=new.email,
            password_hash=new.password_hash.get_secret_value(),
            first_name=new.first_name,
            last_name=new.last_name,
            phone=new.phone,
        )
        return User.model_validate(row)

    def get(self, user_id: UUID) -> User:
        """The live user with this id; NotFoundError otherwise."""
        row = self._one("get", id=user_id)
        return _found(row, user_id)

    def get_including_deleted(self, user_id: UUID) -> User:
        """The user with this id even when soft-deleted; NotFoundError otherwise."""
        row = self._one("get_including_deleted", id=user_id)
        return _found(row, user_id)

    def find_by_email(self, email: str) -> User | None:
        """The live user with this email in any letter case, or None."""
        row = self._one("find_by_email", email=email)
        return User.model_validate(row) if row else None

    def list_users(
        self, *, status: UserStatus | None = None, limit: int = 20, cursor: str | None = None
    ) -> CursorPage[User]:
        """Live users newest first, ``limit`` at a time; pass ``next_cursor`` for the next page."""
        listing = f"users:{status or '*'}"
        after = self._context.cursors.decode(listing, cursor, _SHAPE) if cursor else _START
        limit = max(1, min(limit, 500))
        if status is None:
            rows = self._all(
                "list_users", after_created_at=after[0], after_id=after[1], limit=limit + 1
            )
        else:
            rows = self._all(
                "list_users_by_status",
                status=status,
                after_created_at=after[0],
                after_id=after[1],
                limit=limit + 1,
            )
        users = [User.model_validate(row) for row in rows[:limit]]
        last = users[-1] if len(rows) > limit else None
        token = self._context.cursors.encode(listing, (last.created_at, last.id)) if last else None
        return CursorPage(users, token)

    def update(self, user_id: UUID, patch: UserPatch) -> User:
        """Apply the fields set in ``patch``; NotFoundError when there is no live user."""
        given = patch.patch_fields()
        params: dict[str, object] = {}
        for field in ("email", "first_name", "last_name", "phone", "status"):
            params[f"set_{field}"] = field in given
            params[field] = given.get(field)
        row = self._one("update", id=user_id, **params)
        return _found(row, user_id)

    def soft_delete(self, user_id: UUID) -> None:
        """Hide the user from reads (status DELETED); NotFoundError when there is no live user."""
        if self._count("soft_delete", id=user_id) == 0:
            raise NotFoundError("user", user_id)

    def restore(self, user_id: UUID) -> User:
        """Bring back a soft-deleted user as ACTIVE; NotFoundError when there is none."""
        row = self._one("restore", id=user_id)
        return _found(row, user_id, "deleted user")

    def count(self, *, status: UserStatus | None = None) -> int:
        """How many live users there are, optionally in one status."""
        return int(self._value("count", status=status))

    def email_exists(self, email: str) -> bool:
        """Whether the email is taken in any letter case, soft-deleted users included."""
        return bool(self._value("email_exists", email=email))

    def record_failed_login(self, user_id: UUID) -> User:
        """Count a failed login; after LOGIN_MAX_FAILURES the account locks for LOGIN_LOCKOUT_S."""
        settings = self._context.settings
        row = self._one(
            "record_failed_login",
            id=user_id,
            max_failures=settings.login_max_failures,
            lockout_seconds=settings.login_lockout_s,
        )
        return _found(row, user_id)

    def record_successful_login(self, user_id: UUID) -> User:
        """Reset the failure count and lockout and stamp last_login_at."""
        row = self._one("record_successful_login", id=user_id)
        return _found(row, user_id)

    def get_credentials(self, email: str) -> Credentials | None:
        """The password hash and login state of the live user with this email, or None."""
        row = self._one("get_credentials", email=email)
        return Credentials.model_validate(row) if row else None


def _found(row: Row | None, user_id: UUID, entity: str = "user") -> User:
    """The user of ``row``; NotFoundError naming ``entity`` when the query found none."""
    if row is None:
        raise NotFoundError(entity, user_id)
    return User.model_validate(row)
