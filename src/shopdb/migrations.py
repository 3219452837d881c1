"""apply / rollback / break-lock over yoyo's Python API, always under yoyo's lock; status
reads yoyo's bookkeeping without it, and writes nothing.

Every failure leaves as a shopdb error: DatabaseUnavailable when the server cannot be
reached, MigrationLocked, MigrationError; never a psycopg or yoyo exception.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import psycopg
from psycopg.conninfo import conninfo_to_dict
from yoyo import get_backend, read_migrations
from yoyo.exceptions import BadMigration, MigrationConflict
from yoyo.exceptions import LockTimeout as YoyoLockTimeout

from shopdb.core.errors import ShopDBError, translate, without_driver_errors
from shopdb.core.queries import load_queries, migrations_dir
from shopdb.core.runner import execute
from shopdb.core.timer import QueryTimer
from shopdb.settings import Settings, libpq_url, unavailable


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


def yoyo_url(url: str, **params: Any) -> str:
    """A yoyo URL (psycopg 3 scheme) for the database of the libpq URL ``url``.

    Every connection parameter rides in the query string, which yoyo hands to psycopg as
    keywords: yoyo's own parsing of the rest (urlsplit) misreads what libpq reads well
    (several hosts, a socket directory, a ? or # in the password).
    """
    values = {**conninfo_to_dict(libpq_url(url)), **params}
    return "postgresql+psycopg://?" + urlencode({k: str(v) for k, v in values.items()})


class _YoyoLog(logging.Handler):
    """Keeps the errors yoyo logs (with a traceback, which would land on stderr) for our
    own message: undoing a non-transactional migration can fail that way."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.errors: list[BaseException] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[1] is not None:
            self.errors.append(record.exc_info[1])


@contextmanager
def _backend(settings: Settings) -> Iterator[tuple[Any, _YoyoLog]]:
    """yoyo's backend on the database of ``settings``, yoyo's and psycopg's exceptions
    translated, and yoyo's logged errors collected (not printed) while it is in use."""
    log = _YoyoLog()
    yoyo_logger = logging.getLogger("yoyo")
    yoyo_logger.addHandler(log)
    try:
        try:
            backend = get_backend(
                yoyo_url(
                    settings.direct_conninfo, connect_timeout=settings.database_connect_timeout_s
                )
            )
        except psycopg.OperationalError as exc:
            raise unavailable(settings, exc) from exc
        try:
            yield backend, log
        finally:
            with suppress(psycopg.Error):
                backend.connection.close()
    except psycopg.Error as exc:
        raise _bookkeeping_failed(exc) from exc
    except (BadMigration, MigrationConflict) as exc:
        raise _bad_migrations(exc) from exc
    finally:
        yoyo_logger.removeHandler(log)


def _read_migrations() -> Any:
    try:
        return read_migrations(str(migrations_dir()))
    except (BadMigration, MigrationConflict) as exc:
        raise _bad_migrations(exc) from exc


@contextmanager
def _locked(backend: Any, timeout_s: float) -> Iterator[None]:
    try:
        lock = backend.lock(timeout=timeout_s)
        lock.__enter__()
    except YoyoLockTimeout:
        raise MigrationLocked(
            "another migration run holds the lock; if none is running (a killed run "
            "left it), remove it with `shopdb break-lock`"
        ) from None
    try:
        yield
    except BaseException as failure:
        # The error of the run is the one to report: if releasing the lock fails too (the
        # connection is gone), say that the lock may be left behind instead of hiding it.
        try:
            lock.__exit__(type(failure), failure, failure.__traceback__)
        except psycopg.Error:
            if isinstance(failure, ShopDBError):
                failure.args = (
                    f"{failure}; the migration lock may be left behind: check "
                    "`shopdb status` and remove it with `shopdb break-lock`",
                )
        raise
    try:
        lock.__exit__(None, None, None)
    except psycopg.Error as exc:
        raise MigrationError(
            f"the run finished but releasing the migration lock failed ({_reason(exc)}): "
            "check `shopdb status` and remove the lock with `shopdb break-lock`"
        ) from exc


@without_driver_errors
def apply(settings: Settings, *, lock_timeout_s: float = 10) -> list[str]:
    """Apply every pending migration; return their ids in the order applied."""
    migrations = _read_migrations()
    applied: list[str] = []
    with _backend(settings) as (backend, log), _locked(backend, lock_timeout_s):
        for migration in backend.to_apply(migrations):
            try:
                backend.apply_migrations(migrations.__class__([migration], migrations.post_apply))
            except psycopg.Error as exc:
                raise _failed("applying", migration, exc, applied, log) from exc
            applied.append(migration.id)
    return applied


@without_driver_errors
def rollback(
    settings: Settings,
    *,
    count: int | None = 1,
    to: str | None = None,
    lock_timeout_s: float = 10,
) -> list[str]:
    """Roll back the newest ``count`` migrations (None: all), or every one applied after ``to``."""
    migrations = _read_migrations()
    with _backend(settings) as (backend, log), _locked(backend, lock_timeout_s):
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
                raise _failed("rolling back", migration, exc, undone, log) from exc
            undone.append(migration.id)
        return undone


def _failed(
    doing: str, migration: Any, exc: psycopg.Error, done: list[str], log: _YoyoLog
) -> MigrationError:
    before = ", ".join(done) or "none"
    message = f"{doing} {migration.id} failed: {_reason(exc)}; done before it: {before}"
    if not migration.use_transactions:
        # yoyo has committed the statements before the failing one, then run their
        # counterparts of the other direction; an error there is only logged by yoyo.
        message += (
            "; it is not transactional: its earlier statements were committed, "
            "then their rollback statements run"
        )
        if log.errors:
            message += f", and one failed ({_reason(log.errors[-1])}): check the schema by hand"
    error = MigrationError(message)
    error.sqlstate = exc.sqlstate
    return error


def _reason(exc: BaseException) -> str:
    if isinstance(exc, psycopg.Error):
        primary = exc.diag.message_primary or type(exc).__name__
        return f"{primary} (SQLSTATE {exc.sqlstate})" if exc.sqlstate else primary
    return type(exc).__name__


def _bookkeeping_failed(exc: psycopg.Error) -> ShopDBError:
    if isinstance(exc, psycopg.OperationalError):
        return translate(exc, "migrations")
    return MigrationError(f"yoyo's bookkeeping failed: {_reason(exc)}")


def _bad_migrations(exc: BadMigration | MigrationConflict) -> MigrationError:
    if isinstance(exc, MigrationConflict):
        return MigrationError(f"two migrations have the id {exc.args[0]}")
    return MigrationError(f"bad migration: {' '.join(str(a) for a in exc.args[:1])}")


@without_driver_errors
def status(settings: Settings) -> list[MigrationState]:
    """Every known migration, applied (with its date) or pending, in file order.

    Read-only and lock-free: it creates none of yoyo's tables (before the first migrate,
    every migration is pending) and runs in a READ ONLY transaction.
    """
    migrations = _read_migrations()
    queries = load_queries()["migrations"]
    timer = QueryTimer(settings.slow_query_ms)
    try:
        conn = psycopg.connect(
            settings.direct_conninfo,
            connect_timeout=settings.database_connect_timeout_s,
            application_name=settings.database_application_name,
        )
    except psycopg.OperationalError as exc:
        raise unavailable(settings, exc) from exc
    with conn:
        conn.read_only = True
        rows: list[dict[str, Any]] = []
        if execute(conn, queries["yoyo_bookkeeping_exists"], {}, timer):
            rows = execute(conn, queries["applied_migrations"], {}, timer)
        try:
            conn.rollback()
        except psycopg.Error as exc:
            raise translate(exc, "migrations.status", conn) from exc
    dates = {row["migration_id"]: row["applied_at_utc"].replace(tzinfo=UTC) for row in rows}
    return [MigrationState(m.id, dates.get(m.id)) for m in migrations]


@without_driver_errors
def break_lock(settings: Settings) -> None:
    """Remove the lock left by a killed run. Only when no migration is running."""
    with _backend(settings) as (backend, _):
        backend.break_lock()
