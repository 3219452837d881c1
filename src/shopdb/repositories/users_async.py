"""UserRepository: accounts, credentials and login bookkeeping over sql/users.sql."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from pydantic import SecretStr

from shopdb.core.errors import ConfigurationError
from shopdb.core.paging import NEWEST_FIRST, CursorPage
from shopdb.core.sealed import is_sealed, seal, unseal
from shopdb.core.unit_async import unit_of_work
from shopdb.models.audit import Actor
from shopdb.models.audited import EmailChange
from shopdb.models.security_events import NewSecurityEvent
from shopdb.models.users import (
    AccountLocked,
    Credentials,
    IllegalUserStatusChange,
    InvalidCredentials,
    NewUser,
    PasswordChange,
    TwoFactorSetup,
    User,
    UserPatch,
    UserStatus,
)
from shopdb.repositories.base_async import AsyncShopRepository
from shopdb.settings import two_factor_keys


class AsyncUserRepository(AsyncShopRepository):
    """Users. Soft-deleted users are hidden from every read but ``get_including_deleted``."""

    namespace = "users"
    entity = "user"
    tables = ("users",)
    locks = {"lock_for_status_change": User, "lock_erasure": None, "lock_for_erasure": User}
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
        "is_locked": None,
        "verify_email": User,
        "enable_two_factor": User,
        "disable_two_factor": User,
        "change_password_hash": User,
        "set_status": User,
        "erase": User,
    }
    constraint_messages = {
        "users_email_lower_key": "a user with this email already exists",
        "users_email_format_check": "the email address is malformed",
        "users_password_hash_format_check": "password_hash must be a hash, never a password",
        "users_failed_login_count_check": "failed_login_count cannot be negative",
        "users_two_factor_check": "two-factor cannot be on without a secret",
    }

    async def create(self, new: NewUser) -> User:
        """Store a new active user; ConflictError when the email is taken in any letter case."""
        return await self._get(
            "create",
            User,
            email=new.email,
            password_hash=new.password_hash.get_secret_value(),
            first_name=new.first_name,
            last_name=new.last_name,
            phone=new.phone,
        )

    async def get(self, user_id: UUID) -> User:
        """The live user with this id; NotFoundError otherwise."""
        return await self._get("get", User, id=user_id)

    async def get_including_deleted(self, user_id: UUID) -> User:
        """The user with this id even when soft-deleted; NotFoundError otherwise."""
        return await self._get("get_including_deleted", User, id=user_id)

    async def find_by_email(self, email: str) -> User | None:
        """The live user with this email in any letter case, or None."""
        return await self._find("find_by_email", User, email=email)

    async def list_users(
        self, *, status: UserStatus | None = None, limit: int = 20, cursor: str | None = None
    ) -> CursorPage[User]:
        """Live users newest first, ``limit`` at a time; pass ``next_cursor`` for the next page."""
        if status is None:
            return await self._page("list_users", User, NEWEST_FIRST, limit=limit, cursor=cursor)
        return await self._page(
            "list_users_by_status", User, NEWEST_FIRST, limit=limit, cursor=cursor, status=status
        )

    @unit_of_work
    async def update(self, user_id: UUID, patch: UserPatch, *, actor: Actor | None = None) -> User:
        """Apply the fields set in ``patch``; NotFoundError when there is no live user. A new
        email is unverified, records an EMAIL_CHANGED security event and is audited
        (``users``/``change_email``; None: the SYSTEM actor), no address in either."""
        before = await self._lock("lock_for_status_change", User, id=user_id)
        after = await self._patch("update", User, patch, id=user_id)
        if after.email != before.email:
            payload = {"was_verified": before.email_verified}
            await self._tx.security_events.record(
                NewSecurityEvent(type="EMAIL_CHANGED", user_id=user_id, payload=payload)
            )
            was = EmailChange(email_verified=before.email_verified, email_changed=False)
            now = EmailChange(email_verified=after.email_verified, email_changed=True)
            await self._audited(actor or Actor.system(), "change_email", user_id, was, now)
        return after

    @unit_of_work
    async def soft_delete(self, user_id: UUID) -> None:
        """Hide the user from reads (status DELETED, a suspension remembered) and end their
        sessions and API keys in the same transaction; NotFoundError when there is no live user."""
        await self._touch("soft_delete", id=user_id)
        await self._close_access(user_id)

    async def restore(self, user_id: UUID) -> User:
        """Bring back a soft-deleted user, SUSPENDED if it was when deleted, ACTIVE otherwise
        (its sessions and keys stay ended); NotFoundError when there is none (or it was erased)."""
        return await self._get("restore", User, id=user_id)

    async def count(self, *, status: UserStatus | None = None) -> int:
        """How many live users there are, optionally in one status."""
        return int(await self._value("count", status=status))

    async def email_exists(self, email: str) -> bool:
        """Whether the email is taken in any letter case, soft-deleted users included."""
        return bool(await self._value("email_exists", email=email))

    async def record_failed_login(self, user_id: UUID) -> User:
        """Count a failed login; after LOGIN_MAX_FAILURES the account locks for LOGIN_LOCKOUT_S."""
        settings = self._context.settings
        return await self._get(
            "record_failed_login",
            User,
            id=user_id,
            max_failures=settings.login_max_failures,
            lockout_seconds=settings.login_lockout_s,
        )

    async def record_successful_login(self, user_id: UUID) -> User:
        """Reset the failure count and lockout and stamp last_login_at. AccountLocked (and the
        lockout stays) while a lockout runs; NotFoundError when there is no live user."""
        logged_in = await self._find("record_successful_login", User, id=user_id)
        if logged_in is not None:
            return logged_in
        await self.get(user_id)  # NotFoundError when there is no live user
        raise AccountLocked("user: the account is locked after repeated failed logins")

    async def authenticate(self, email: str, password_matches: Callable[[SecretStr], bool]) -> User:
        """The live ACTIVE user whose password hash ``password_matches`` accepts, its login
        recorded. AccountLocked during a lockout (the password is not checked, the lockout
        stays); InvalidCredentials for an unknown email, a user not ACTIVE or a wrong password
        (a failure counted). No application compares lockout_until itself."""
        found = await self.get_credentials(email)
        if found is None or found.status is not UserStatus.ACTIVE:
            raise InvalidCredentials("user: the email or the password is wrong")
        if await self._value("is_locked", id=found.id):
            raise AccountLocked("user: the account is locked after repeated failed logins")
        if not password_matches(found.password_hash):
            await self.record_failed_login(found.id)
            raise InvalidCredentials("user: the email or the password is wrong")
        return await self.record_successful_login(found.id)

    async def get_credentials(self, email: str) -> Credentials | None:
        """The password hash and login state of the live user with this email, or None; the
        two-factor secret opened with TWO_FACTOR_KEY (ConfigurationError without it)."""
        found = await self._find("get_credentials", Credentials, email=email)
        if found is None or found.two_factor_secret is None:
            return found
        stored = found.two_factor_secret.get_secret_value()
        if not is_sealed(stored):  # a secret stored before migration 0061: plaintext
            return found
        secret = unseal(self._two_factor_keys(), stored, str(found.id))
        return found.model_copy(update={"two_factor_secret": SecretStr(secret)})

    async def verify_email(self, user_id: UUID) -> User:
        """Mark the email verified (the first verification time is kept); NotFoundError."""
        return await self._get("verify_email", User, id=user_id)

    async def enable_two_factor(self, user_id: UUID, setup: TwoFactorSetup) -> User:
        """Store the two-factor secret sealed (AES-GCM under TWO_FACTOR_KEY, its key id kept)
        and turn it on; only get_credentials reads it back. ConfigurationError without the key."""
        plain = setup.secret.get_secret_value()
        secret = seal(self._two_factor_keys(), plain, str(user_id))
        return await self._get("enable_two_factor", User, id=user_id, two_factor_secret=secret)

    async def disable_two_factor(self, user_id: UUID) -> User:
        """Turn two-factor off and erase its secret; NotFoundError when there is no live user."""
        return await self._get("disable_two_factor", User, id=user_id)

    async def change_password_hash(self, user_id: UUID, change: PasswordChange) -> User:
        """Replace the password hash (sessions are the caller's to revoke); NotFoundError."""
        new_hash = change.password_hash.get_secret_value()
        return await self._get("change_password_hash", User, id=user_id, password_hash=new_hash)

    async def suspend(self, user_id: UUID, actor: Actor) -> User:
        """ACTIVE -> SUSPENDED, audited (``users``/``suspend``), the user's sessions and API
        keys ended in the same transaction. Locks the user row.
        IllegalUserStatusChange when the user is not ACTIVE; NotFoundError when absent."""
        return await self._move(user_id, UserStatus.ACTIVE, UserStatus.SUSPENDED, "suspend", actor)

    async def reactivate(self, user_id: UUID, actor: Actor) -> User:
        """SUSPENDED -> ACTIVE, audited (``users``/``reactivate``). Locks the user row.
        IllegalUserStatusChange when the user is not SUSPENDED; NotFoundError when absent."""
        return await self._move(
            user_id, UserStatus.SUSPENDED, UserStatus.ACTIVE, "reactivate", actor
        )

    @unit_of_work
    async def _move(
        self, user_id: UUID, source: UserStatus, target: UserStatus, move: str, actor: Actor
    ) -> User:
        """Lock the user, check the transition, apply it, audit it."""
        before = await self._lock("lock_for_status_change", User, id=user_id)
        if before.status is not source:
            raise IllegalUserStatusChange(
                f"user: cannot {move} a user whose status is {before.status}"
            )
        after = await self._get("set_status", User, id=user_id, status=target)
        if target is not UserStatus.ACTIVE:
            await self._close_access(user_id)
        return await self._audited(actor, move, user_id, before, after)

    async def erase(self, user_id: UUID, actor: Actor) -> User:
        """``db.erasure.erase``: the user, their addresses, saved cards, order snapshots and
        review texts anonymized for a deletion request, in one transaction, audited as the
        fact alone."""
        return await self._unit.erasure.erase(user_id, actor=actor)

    @unit_of_work
    async def anonymize(self, user_id: UUID) -> User:
        """The user's step of an erasure (``db.erasure.erase``), the user row locked first:
        email, names, phone, password hash and two-factor secret replaced or cleared, deleted
        for good (never restored), sessions and API keys ended. Not audited here (the erasure
        is). NotFoundError when there is no such user or it was erased already."""
        await self._lock("lock_erasure", None, id=user_id)  # writes of the user's rows now refused
        await self._lock("lock_for_erasure", User, id=user_id)
        erased = await self._get("erase", User, id=user_id)
        await self._close_access(user_id)
        return erased

    async def _close_access(self, user_id: UUID) -> None:
        """End every session and API key of the user (in the caller's unit of work)."""
        await self._tx.sessions.revoke_all_for_user(user_id)
        await self._tx.api_keys.revoke_all_for_user(user_id)

    def _two_factor_keys(self) -> dict[str, bytes]:
        key = self._context.settings.two_factor_key
        if key is None:
            raise ConfigurationError(
                "TWO_FACTOR_KEY is not set: two-factor secrets cannot be sealed"
            )
        return two_factor_keys(key)
