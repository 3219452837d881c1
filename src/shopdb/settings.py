"""Settings from the environment; keyword arguments override it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shopdb.core.errors import ConfigurationError

_SCHEMES = ("postgresql", "postgres")


class Settings(BaseSettings):
    """Every knob of shopdb, read from environment variables of the same name in upper case."""

    model_config = SettingsConfigDict(
        env_prefix="",
        case_sensitive=False,
        extra="ignore",
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
    database_application_name: str = Field("shopdb", max_length=63)
    query_timeout_ms: int = Field(5000, ge=0, description="statement_timeout; 0 disables it.")
    slow_query_ms: int = Field(200, ge=0)
    cursor_secret: SecretStr | None = Field(
        None, description="HMAC key of pagination cursors; random per process when unset."
    )
    login_max_failures: int = Field(5, ge=1)
    login_lockout_s: int = Field(900, ge=1)
    transaction_attempts: int = Field(5, ge=1, le=50)

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

    @field_validator("database_url")
    @classmethod
    def _check_url(cls, value: SecretStr) -> SecretStr:
        url = value.get_secret_value()
        parts = urlsplit(url)
        if parts.scheme.split("+", 1)[0] not in _SCHEMES or not (parts.path.strip("/")):
            raise ValueError("must look like postgresql://user:password@host:5432/dbname")
        return value

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
        parts = urlsplit(self.database_url.get_secret_value())
        return urlunsplit(parts._replace(scheme="postgresql"))

    @property
    def safe_url(self) -> str:
        """The database URL with the password masked, fit for logs and messages."""
        return mask_password(self.database_url.get_secret_value())


def mask_password(url: str) -> str:
    """Replace the password of a URL by ***."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = netloc[0].split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[1]}"))


def _describe(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors(include_input=False, include_url=False):
        variable = str(error["loc"][0]).upper() if error["loc"] else "settings"
        if error["type"] == "missing":
            problems.append(f"{variable} is not set")
        else:
            problems.append(f"{variable} {error['msg'].removeprefix('Value error, ')}")
    return "invalid shopdb settings: " + "; ".join(problems)
