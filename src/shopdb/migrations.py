"""apply / rollback / status / break-lock over yoyo's Python API, always under yoyo's lock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from yoyo import get_backend, read_migrations
from yoyo.exceptions import LockTimeout as YoyoLockTimeout

from shopdb.core.errors import ShopDBError
from shopdb.core.queries import load_queries, migrations_dir
from shopdb.core.runner import execute
from shopdb.core.timer import QueryTimer
from shopdb.settings import Settings


class MigrationError(ShopDBError):
    """A migration could not be applied or rolled back."""


class MigrationLocked(MigrationError):
    """Another run holds yoyo's lock (or a killed run left it behind)."""


@dataclass(frozen=True, slots=True)
class MigrationState:
    """One migration and when it was applied (None: pending)."""

    id: str
    applied_at: datetime | None

    @property
    def applied(self) -> bool:
        """True once applied."""
        return self.applied_at is not None


def yoyo_url(url: str) -> str:
    """The URL with yoyo's psycopg 3 scheme: plain postgresql:// would load psycopg2."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme="postgresql+psycopg"))


@contextmanager
def _backend(settings: Settings) -> Iterator[Any]:
    backend = get_backend(yoyo_url(settings.conninfo))
    try:
        yield backend
    finally:
        backend.connection.close()


@contextmanager
def _locked(backend: Any, timeout_s: float) -> Iterator[None]:
    try:
        with backend.lock(timeout=timeout_s):
            yield
    except YoyoLockTimeout:
        raise MigrationLocked(
            "another migration run holds the lock; if none is running (a killed run "
            "left it), remove it with `shopdb break-lock`"
        ) from None


def apply(settings: Settings, *, lock_timeout_s: float = 10) -> list[str]:
    """Apply every pending migration; return their ids in the order applied."""
    migrations = read_migrations(str(migrations_dir()))
    applied: list[str] = []
    with _backend(settings) as backend, _locked(backend, lock_timeout_s):
        for migration in backend.to_apply(migrations):
            try:
                backend.apply_migrations(migrations.__class__([migration], migrations.post_apply))
            except psycopg.Error as exc:
                raise _failed("applying", migration.id, exc, applied) from exc
            applied.append(migration.id)
    return applied


def rollback(
    settings: Settings,
    *,
    count: int | None = 1,
    to: str | None = None,
    lock_timeout_s: float = 10,
) -> list[str]:
    """Roll back the newest ``count`` migrations (None: all), or every one applied after ``to``."""
    migrations = read_migrations(str(migrations_dir()))
    with _backend(settings) as backend, _locked(backend, lock_timeout_s):
        applied = list(backend.to_rollback(migrations))
        if to is not None:
            ids = [m.id for m in applied]
            if to not in ids:
                raise MigrationError(f"{to} is not an applied migration")
            chosen = applied[: ids.index(to)]
        else:
            chosen = applied if count is None else applied[:count]
        undone: list[str] = []
        for migration in chosen:
            try:
                backend.rollback_migrations(
                    migrations.__class__([migration], migrations.post_apply)
                )
            except psycopg.Error as exc:
                raise _failed("rolling back", migration.id, exc, undone) from exc
            undone.append(migration.id)
        return undone


def _failed(doing: str, migration: str, exc: psycopg.Error, done: list[str]) -> MigrationError:
    reason = exc.diag.message_primary or type(exc).__name__
    before = ", ".join(done) or "none"
    return MigrationError(
        f"{doing} {migration} failed: {reason} (SQLSTATE {exc.sqlstate}); done before it: {before}"
    )


def status(settings: Settings) -> list[MigrationState]:
    """Every known migration, applied (with its date) or pending, in file order."""
    migrations = read_migrations(str(migrations_dir()))
    query = load_queries()["migrations"]["applied_migrations"]
    with _backend(settings) as backend:
        backend.ensure_internal_schema_updated()
        rows = execute(backend.connection, query, {}, QueryTimer(settings.slow_query_ms))
        backend.rollback()
    dates = {row["migration_id"]: row["applied_at_utc"].replace(tzinfo=UTC) for row in rows}
    return [MigrationState(m.id, dates.get(m.id)) for m in migrations]


def break_lock(settings: Settings) -> None:
    """Remove the lock left by a killed run. Only when no migration is running."""
    with _backend(settings) as backend:
        backend.break_lock()
