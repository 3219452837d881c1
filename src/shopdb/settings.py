"""Settings from the environment; keyword arguments override it."""

from __future__ import annotations

import base64
import binascii
import difflib
import re
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import unquote

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shopdb.core.errors import ConfigurationError, DatabaseUnavailable

_SCHEMES = ("postgresql", "postgres")
_URL = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<rest>.*)", re.DOTALL)
_SECRET_PARAMETERS = frozenset({"password", "sslpassword"})
_SHAPE = "must look like postgresql://user:password@host:5432/dbname"


class Settings(BaseSettings):
    """Every knob of shopdb, read from environment variables of the same name in upper case."""

    model_config = SettingsConfigDict(
        env_prefix="",
        case_sensitive=False,
        # Unknown keyword arguments are refused (a typo must not pass silently); environment
        # variables that are not settings are still ignored: pydantic-settings reads only the
        # variables named after fields, even with env_prefix="".
        extra="forbid",
        frozen=True,
        hide_input_in_errors=True,
        env_parse_none_str="none",
    )

    database_url: SecretStr = Field(description="postgresql://user:password@host:port/dbname")
    database_pool_min: int = Field(5, ge=0, le=1000)
    database_pool_max: int = Field(20, ge=1, le=1000)
    database_pool_timeout_ms: int = Field(
        5000, gt=0, description="How long a checkout waits for a free connection."
    )
    database_connect_timeout_s: int = Field(5, ge=2, le=600)
    database_prepare_threshold: int | None = Field(
        5, ge=0, description="psycopg prepare_threshold; unset (None) behind PgBouncer < 1.21."
    )
    database_prepared_max: int = Field(
        256, ge=1, description="Prepared statements kept per connection (psycopg prepared_max)."
    )
    database_application_name: str = Field("shopdb", max_length=63)
    database_keepalives_idle_s: int = Field(
        30, ge=1, description="Idle seconds before TCP sends the first keepalive probe."
    )
    database_keepalives_interval_s: int = Field(
        10, ge=1, description="Seconds between unanswered TCP keepalive probes."
    )
    database_keepalives_count: int = Field(
        3, ge=1, description="Unanswered keepalive probes before the connection is dropped."
    )
    database_tcp_user_timeout_ms: int = Field(
        30000, ge=0, description="libpq tcp_user_timeout: unacknowledged data gives up; 0 = OS."
    )
    database_probe_interval_ms: int = Field(
        1000, ge=0, description="How long the answer of a server probe is reused."
    )
    database_replica_urls: SecretStr | None = Field(
        None,
        description="Streaming replicas, comma-separated URLs: a pool each for the queries a "
        "repository declares in replica_reads (docs/operations.md).",
    )
    replica_lag_sample_ms: int = Field(
        500, ge=10, description="How often, at most, each replica's lag is measured."
    )
    max_replica_lag_ms: int = Field(
        1000, ge=0, description="A replica further behind the primary serves no reads."
    )
    read_your_writes_wait_ms: int = Field(
        200,
        ge=0,
        description="Inside db.consistent(): how long a read waits for a replica to replay "
        "the block's writes before it goes to the primary.",
    )
    database_pooler: Literal["none", "pgbouncer-transaction"] = Field(
        "none",
        description="pgbouncer-transaction: DATABASE_URL is a PgBouncer in transaction mode; "
        "no prepared statements, no session settings, no slow-query EXPLAIN.",
    )
    database_direct_url: SecretStr | None = Field(
        None,
        description="The primary itself, not the pooler: for migrations and the tools "
        "(DATABASE_URL when unset).",
    )
    query_timeout_ms: int = Field(5000, ge=0, description="statement_timeout; 0 disables it.")
    slow_query_ms: int = Field(200, ge=0)
    partition_premake_months: int = Field(
        3, ge=1, le=24, description="Monthly partitions kept ready after the current month."
    )
    partition_retention_months: int = Field(
        24, ge=1, le=1200, description="Whole months of partitioned rows kept before this one."
    )
    slow_query_explain: bool = Field(
        False, description="Add its generic plan to a query's first slow-query record."
    )
    query_tracing: bool = Field(
        False, description="One OpenTelemetry span per query (needs the otel extra)."
    )
    cursor_secret: SecretStr | None = Field(
        None,
        description="HMAC key of pagination cursors, 32+ characters; when unset, the key "
        "migration 0060 drew in the database (the same for every process).",
    )
    api_key_pepper: SecretStr | None = Field(
        None, description="HMAC-SHA-256 key of API key secrets, 32+ characters; API keys need it."
    )
    two_factor_key: SecretStr | None = Field(
        None,
        description="AES-256-GCM keys of two-factor secrets: `id:base64 of 32 bytes`, several "
        "comma-separated to rotate (the first encrypts, every one decrypts); 2FA needs it.",
    )
    webhook_secret_key: SecretStr | None = Field(
        None,
        description="AES-256-GCM keys of webhook endpoint secrets, as TWO_FACTOR_KEY; when "
        "unset, TWO_FACTOR_KEY seals them. Adding an endpoint needs one of the two.",
    )
    webhook_retry_base_s: float = Field(
        10, ge=0, le=86400, description="Delay before a webhook's first retry; doubles after."
    )
    webhook_max_attempts: int = Field(
        8, ge=1, le=100, description="Attempts of a webhook delivery before it is dead."
    )
    webhook_timeout_s: float = Field(
        10, gt=0, le=300, description="How long one webhook POST may take (connect to answer)."
    )
    webhook_lease_s: int = Field(
        60,
        ge=1,
        le=86400,
        description="How long a claimed delivery stays with its "
        "dispatcher: a killed dispatcher's deliveries are retried after it.",
    )
    cart_recovery_idle_s: int = Field(
        3600, ge=1, description="Idle seconds after which a cart is worth a reminder."
    )
    cart_recovery_cooldown_s: int = Field(
        86400, ge=0, description="No second reminder of a cart within this many seconds."
    )
    login_max_failures: int = Field(5, ge=1)
    login_lockout_s: int = Field(900, ge=1)
    transaction_attempts: int = Field(5, ge=1, le=50)
    json_max_bytes: int = Field(
        65536, ge=1, le=100_000_000, description="Largest JSON document a write takes, encoded."
    )
    json_max_depth: int = Field(
        16, ge=1, le=1000, description="Deepest nesting of objects and arrays a JSON write takes."
    )

    redis_url: SecretStr | None = Field(
        None,
        description="redis://host:port/db of the catalog's read-through cache; unset: no cache "
        "(redis-py, the `cache` extra, is then never imported).",
    )
    cache_timeout_ms: int = Field(
        100, ge=1, le=10_000, description="Connect and reply timeout of each Redis call."
    )
    cache_breaker_failures: int = Field(
        3, ge=1, le=1000, description="Redis failures in a row that open the circuit breaker."
    )
    cache_breaker_cooldown_ms: int = Field(
        2000, ge=1, description="How long an open breaker sends reads to the database first."
    )
    cache_lock_ms: int = Field(
        2000, ge=1, description="Lifetime of a fill lock (SET NX PX): longer than a fill."
    )
    cache_lock_wait_ms: int = Field(
        500, ge=0, description="How long a caller waits for another's fill, then reads itself."
    )
    cache_prefix: str = Field(
        "shopdb", min_length=1, max_length=64, description="Prefix of every Redis key."
    )

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as exc:
            raise ConfigurationError(_describe(exc)) from None

    @field_validator("database_prepare_threshold", mode="before")
    @classmethod
    def _none_in_any_case(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip().lower() in ("", "none", "null", "off"):
            return None
        return value

    @field_validator("api_key_pepper")
    @classmethod
    def _long_pepper(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 32:
            raise ValueError("must be at least 32 characters (a random string, kept secret)")
        return value

    @field_validator("cursor_secret")
    @classmethod
    def _long_cursor_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 32:
            raise ValueError("must be at least 32 characters (a random string, kept secret)")
        return value

    @field_validator("two_factor_key", "webhook_secret_key")
    @classmethod
    def _two_factor_keys(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            two_factor_keys(value)  # ValueError naming the problem, never the key
        return value

    @field_validator("database_url")
    @classmethod
    def _check_url(cls, value: SecretStr) -> SecretStr:
        problem = _url_problem(value.get_secret_value())
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("database_direct_url")
    @classmethod
    def _check_direct_url(cls, value: SecretStr | None) -> SecretStr | None:
        problem = value and _url_problem(value.get_secret_value())
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("database_replica_urls")
    @classmethod
    def _check_replica_urls(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        urls = [url.strip() for url in value.get_secret_value().split(",") if url.strip()]
        for position, url in enumerate(urls, 1):
            problem = _url_problem(url)
            if problem:
                raise ValueError(f"replica {position} {problem}")
        return SecretStr(",".join(urls)) if urls else None

    @field_validator("database_pool_max")
    @classmethod
    def _check_pool(cls, value: int, info: Any) -> int:
        low = info.data.get("database_pool_min")
        if low is not None and value < low:
            raise ValueError(f"must be >= DATABASE_POOL_MIN ({low})")
        return value

    @property
    def conninfo(self) -> str:
        """The libpq connection string, with any driver suffix of the scheme removed."""
        return libpq_url(self.database_url.get_secret_value())

    @property
    def behind_transaction_pooler(self) -> bool:
        """True when DATABASE_URL is a transaction-mode pooler (DATABASE_POOLER)."""
        return self.database_pooler == "pgbouncer-transaction"

    @property
    def prepare_threshold(self) -> int | None:
        """psycopg's prepare_threshold: None (never) behind a transaction-mode PgBouncer older
        than 1.21, whose server connections change under a client between transactions."""
        return None if self.behind_transaction_pooler else self.database_prepare_threshold

    @property
    def direct_conninfo(self) -> str:
        """The libpq URL of the primary itself (DATABASE_DIRECT_URL, else DATABASE_URL): what
        migrations and the tools connect to, never through a transaction-mode pooler."""
        url = self.database_direct_url or self.database_url
        return libpq_url(url.get_secret_value())

    @property
    def replica_conninfos(self) -> list[str]:
        """The libpq URL of each replica of DATABASE_REPLICA_URLS, in order."""
        if self.database_replica_urls is None:
            return []
        return [libpq_url(url) for url in self.database_replica_urls.get_secret_value().split(",")]

    @property
    def safe_url(self) -> str:
        """The database URL with the password masked, fit for logs and messages."""
        return mask_password(self.database_url.get_secret_value())


_KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")


def two_factor_keys(value: SecretStr) -> dict[str, bytes]:
    """The keys of TWO_FACTOR_KEY by id, the current one (the first) first; ValueError for a
    malformed value (the message never quotes the key)."""
    keys: dict[str, bytes] = {}
    for item in value.get_secret_value().split(","):
        key_id, _, encoded = item.strip().partition(":")
        try:
            key = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            key = b""
        if not _KEY_ID.fullmatch(key_id) or len(key) != 32 or key_id in keys:
            raise ValueError(
                "must be id:base64-of-32-bytes, comma-separated to rotate, each id unique "
                "(1-32 of A-Z a-z 0-9 _ -)"
            )
        keys[key_id] = key
    return keys


def libpq_url(url: str) -> str:
    """``url`` as libpq reads it: ``postgresql://`` in place of any scheme with a driver suffix."""
    match = _URL.fullmatch(url)
    return f"postgresql://{match['rest']}" if match else url


def mask_password(url: str) -> str:
    """``url`` with every password libpq would read in it (user info, ``?password=``,
    ``?sslpassword=``) replaced by ***. What libpq would not read cleanly (an unescaped / or @
    in a password moves the host) is masked whole after the scheme: a guess could leak."""
    parts = _split(url)
    if parts is None:
        return _mask_keywords(url)
    if _url_problem(url):
        return f"{parts.scheme}://***"
    userinfo = parts.userinfo
    if userinfo is not None and ":" in userinfo:
        userinfo = userinfo.split(":", 1)[0] + ":***"
    text = f"{parts.scheme}://{'' if userinfo is None else userinfo + '@'}{parts.location}"
    if parts.query is None:
        return text
    return text + "?" + "&".join(_mask_parameter(p) for p in parts.query.split("&"))


def unavailable(settings: Settings, exc: psycopg.Error) -> DatabaseUnavailable:
    """DatabaseUnavailable for a connection that could not be made: where to (password
    masked) and libpq's reason on one line (``Connection refused``, ``database "x" does not
    exist``, ...)."""
    lines = str(exc).splitlines() or [type(exc).__name__]
    reason = lines[0].rsplit("failed: ", 1)[-1].removeprefix("FATAL:")
    reason = " ".join(reason.split())
    params = conninfo_to_dict(settings.conninfo)
    for secret in filter(None, (params.get(name) for name in _SECRET_PARAMETERS)):
        reason = reason.replace(str(secret), "***")  # libpq never quotes one; be sure
    return DatabaseUnavailable(f"could not connect to {settings.safe_url}: {reason}")


@dataclass(frozen=True, slots=True)
class _Url:
    """A URL cut where libpq cuts it, each part as written (still percent-encoded)."""

    scheme: str
    userinfo: str | None
    location: str  # hosts, ports and /dbname
    query: str | None


def _split(url: str) -> _Url | None:
    match = _URL.fullmatch(url)
    if not match:
        return None
    rest = match["rest"]
    # libpq's rule: the user info ends at an @ met before any /; a ? or # in it is no end.
    end = next((i for i, char in enumerate(rest) if char in "@/"), len(rest))
    userinfo = None
    if end < len(rest) and rest[end] == "@":
        userinfo, rest = rest[:end], rest[end + 1 :]
    location, mark, query = rest.partition("?")
    return _Url(match["scheme"], userinfo, location, query if mark else None)


def _url_problem(url: str) -> str | None:
    """Why libpq would refuse ``url`` or read it otherwise than meant; None when it is sound.
    No message quotes any part of the URL: it holds the password."""
    parts = _split(url)
    if parts is None or parts.scheme.lower().split("+", 1)[0] not in _SCHEMES:
        return _SHAPE
    if "@" in parts.location:
        return (
            "has an @ after the host: percent-encode the user name and password "
            "(@ as %40, / as %2F)"
        )
    try:
        params = conninfo_to_dict(libpq_url(url))
    except psycopg.ProgrammingError:
        return (
            "is not a URL libpq can read: check its %-escapes and that every ?parameter "
            "is a libpq connection parameter"
        )
    if not params.get("dbname"):
        return _SHAPE
    for port in str(params.get("port") or "").split(","):
        if port and not (port.isascii() and port.isdigit() and 0 < int(port) < 65536):
            return (
                "has a port that is not a number from 1 to 65535 "
                "(a / in the password must be percent-encoded as %2F)"
            )
    return None


def _mask_parameter(parameter: str) -> str:
    key, mark, _ = parameter.partition("=")
    return f"{key}=***" if mark and unquote(key) in _SECRET_PARAMETERS else parameter


def _mask_keywords(conninfo: str) -> str:
    """A key=value connection string with its passwords masked; anything else, whole."""
    try:
        params = conninfo_to_dict(conninfo)
    except psycopg.ProgrammingError:
        return "***"
    hidden = {name: "***" for name in _SECRET_PARAMETERS if name in params}
    return make_conninfo(conninfo, **hidden) if hidden else conninfo


def _describe(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors(include_input=False, include_url=False):
        variable = str(error["loc"][0]).upper() if error["loc"] else "settings"
        if error["type"] == "missing":
            problems.append(f"{variable} is not set")
        elif error["type"] == "extra_forbidden":
            problems.append(_unknown(str(error["loc"][0])))
        else:
            problems.append(f"{variable} {error['msg'].removeprefix('Value error, ')}")
    return "invalid shopdb settings: " + "; ".join(problems)


def _unknown(name: str) -> str:
    close = difflib.get_close_matches(name.lower(), Settings.model_fields, n=1)
    return f"unknown setting {name}" + (f" (did you mean {close[0]}?)" if close else "")
