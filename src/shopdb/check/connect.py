"""The one connection `shopdb check` and `shopdb explain` work on."""

from __future__ import annotations

from typing import Any

import psycopg

from shopdb.core.errors import without_driver_errors
from shopdb.settings import Settings, unavailable


@without_driver_errors
def connect(settings: Settings) -> psycopg.Connection[Any]:
    """An autocommit connection to the database of ``settings``, with its statement_timeout;
    DatabaseUnavailable (one line, password masked) when it cannot be made."""
    try:
        return psycopg.connect(
            settings.direct_conninfo,
            autocommit=True,
            connect_timeout=settings.database_connect_timeout_s,
            application_name=settings.database_application_name,
            options=f"-c statement_timeout={settings.query_timeout_ms}",
        )
    except psycopg.OperationalError as exc:
        raise unavailable(settings, exc) from exc
