"""ApiKeyRepository: API keys over sql/api_keys.sql, hashed with HMAC-SHA-256."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import ClassVar
from uuid import UUID

from pydantic import SecretStr

from shopdb.core.errors import ConfigurationError
from shopdb.core.paging import NEWEST_FIRST, CursorPage
from shopdb.core.unit_async import unit_of_work
from shopdb.models.api_keys import (
    ApiKey,
    ApiKeyCredentials,
    ApiKeyStatus,
    CreatedApiKey,
    NewApiKey,
)
from shopdb.models.audit import Actor
from shopdb.models.users import ERASED_OWNER, UserErased
from shopdb.repositories.base_async import AsyncShopRepository

_PREFIX = re.compile(r"sdb_[0-9a-f]{16}")
_SECRET = re.compile(r"[A-Za-z0-9_-]{43}")
_NO_MATCH = "0" * 64  # compared against when no key has the prefix: the same work either way


class AsyncApiKeyRepository(AsyncShopRepository):
    """API keys of users: ``prefix.secret``, the secret stored as HMAC-SHA-256 under
    API_KEY_PEPPER (docs/identity.md says why). Reads of a user's keys take the user id."""

    namespace = "api_keys"
    entity = "api key"
    tables = ("api_keys",)
    locks = {"lock_for_user": ApiKey}
    queries = {
        "create": ApiKey,
        "find_for_authentication": ApiKeyCredentials,
        "mark_used": None,
        "get_for_user": ApiKey,
        "revoke": ApiKey,
        "list_for_user": ApiKey,
        "revoke_all_for_user": None,
    }
    constraint_messages = {
        "api_keys_user_id_fkey": "the key's user does not exist",
        "api_keys_prefix_key": "an API key with this prefix exists",
        "api_keys_name_check": "an API key name is 1 to 100 characters",
        "api_keys_prefix_check": "an API key prefix is sdb_ and 16 hex digits",
        "api_keys_secret_hash_check": "secret_hash must be a hex HMAC-SHA-256",
        "api_keys_scopes_check": "an API key has at most 100 scopes",
        "api_keys_status_check": "an API key status is ACTIVE, REVOKED or EXPIRED",
        "api_keys_revoked_check": "a key is REVOKED exactly when revoked_at is set",
        "api_keys_expires_at_check": "a key must expire after it is created",
        "api_keys_owner_not_erased_check": ERASED_OWNER,
    }
    constraint_errors = {
        "api_keys_owner_not_erased_check": UserErased,
    }
    used_interval_s: ClassVar[int] = 60
    """authenticate writes last_used_at at most this often per key."""

    async def create(self, user_id: UUID, new: NewApiKey) -> CreatedApiKey:
        """Store a new key for the user and return it with its full text ``prefix.secret``
        (the only time the secret is seen). ConstraintViolation for an unknown user."""
        prefix, secret = f"sdb_{secrets.token_hex(8)}", secrets.token_urlsafe(32)
        api_key = await self._get(
            "create",
            ApiKey,
            user_id=user_id,
            prefix=prefix,
            secret_hash=self._digest(secret),
            **new.model_dump(),
        )
        return CreatedApiKey(api_key=api_key, key=SecretStr(f"{prefix}.{secret}"))

    async def authenticate(self, presented: str | SecretStr) -> ApiKey | None:
        """The active key a presented ``prefix.secret`` is, or None (malformed, unknown, wrong
        secret, revoked, expired, or its user not active). The hash is compared in constant
        time; last_used_at is written at most every ``used_interval_s``."""
        text = presented.get_secret_value() if isinstance(presented, SecretStr) else presented
        prefix, _, secret = text.partition(".")
        if not (_PREFIX.fullmatch(prefix) and _SECRET.fullmatch(secret)):
            return None
        found = await self._find("find_for_authentication", ApiKeyCredentials, prefix=prefix)
        stored = _NO_MATCH if found is None else found.secret_hash.get_secret_value()
        matches = hmac.compare_digest(stored, self._digest(secret))
        if found is None or not matches or found.status is not ApiKeyStatus.ACTIVE:
            return None
        await self._count("mark_used", id=found.id, min_interval_s=self.used_interval_s)
        return found.public()

    async def get_for_user(self, user_id: UUID, key_id: UUID) -> ApiKey:
        """The user's key with this id; NotFoundError when the user has no such key."""
        return await self._get("get_for_user", ApiKey, user_id=user_id, id=key_id)

    @unit_of_work
    async def revoke(self, user_id: UUID, key_id: UUID, actor: Actor) -> ApiKey:
        """Revoke the user's key, audited (``api_keys``/``revoke``); revoking a revoked key
        is a no-op. Locks the key row. NotFoundError when the user has no such key."""
        before = await self._lock("lock_for_user", ApiKey, user_id=user_id, id=key_id)
        if before.status is ApiKeyStatus.REVOKED:
            return before
        return await self._audited(
            actor, "revoke", key_id, before, await self._get("revoke", ApiKey, id=key_id)
        )

    async def revoke_all_for_user(self, user_id: UUID) -> int:
        """Revoke every key of the user not revoked yet (a suspension, a deletion, an
        erasure: ``users`` calls it in its unit of work); how many there were."""
        return await self._count("revoke_all_for_user", user_id=user_id)

    async def list_for_user(
        self, user_id: UUID, *, limit: int = 20, cursor: str | None = None
    ) -> CursorPage[ApiKey]:
        """The user's keys in every status, newest first, ``limit`` at a time."""
        return await self._page(
            "list_for_user", ApiKey, NEWEST_FIRST, limit=limit, cursor=cursor, user_id=user_id
        )

    def _digest(self, secret: str) -> str:
        pepper = self._context.settings.api_key_pepper
        if pepper is None:
            raise ConfigurationError("API_KEY_PEPPER is not set: API keys cannot be hashed")
        key = pepper.get_secret_value().encode()
        return hmac.new(key, secret.encode(), hashlib.sha256).hexdigest()
