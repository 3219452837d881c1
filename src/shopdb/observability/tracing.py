"""OpenTelemetry spans of the named queries (QUERY_TRACING; the ``otel`` extra).

One CLIENT span per query run, named after the query (``users.get``), with the database
attributes of the semantic conventions. No parameter value enters a span: ``db.statement``
is the statement with its placeholders, an error is recorded by its class and SQLSTATE only
(a server message may quote a value: ``Key (email)=(...) already exists``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict

from shopdb.core.errors import ConfigurationError
from shopdb.core.queries import Query

try:
    from opentelemetry import trace
except ImportError:  # pragma: no cover - the otel extra is part of dev
    trace = None  # type: ignore[assignment]


class QueryTracer:
    """Opens the span of each named query with ``tracer_provider`` (the global one if None)."""

    def __init__(self, conninfo: str, tracer_provider: Any = None) -> None:
        if trace is None:
            raise ConfigurationError(
                "QUERY_TRACING needs OpenTelemetry: pip install 'shopdb[otel]'"
            )
        self._tracer = trace.get_tracer(
            "shopdb", metadata.version("shopdb"), tracer_provider=tracer_provider
        )
        params = conninfo_to_dict(conninfo)
        self._common: dict[str, str | int] = {
            "db.system": "postgresql",
            "db.name": str(params.get("dbname", "")),
            "db.user": str(params.get("user", "")),
            "server.address": str(params.get("host", "")),
        }
        port = str(params.get("port") or "5432").split(",")[0]
        if port.isdigit():
            self._common["server.port"] = int(port)
        self._attributes: dict[str, dict[str, str | int]] = {}

    @contextmanager
    def span(
        self, query: Query, conn: psycopg.Connection[Any] | psycopg.AsyncConnection[Any]
    ) -> Iterator[None]:
        """The span of one run of ``query``; ERROR status (class and SQLSTATE) if it raises."""
        attributes = self._attributes.get(query.name) or self._attributes_of(query)
        with self._tracer.start_as_current_span(
            query.name,
            kind=trace.SpanKind.CLIENT,
            attributes=attributes,
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            try:
                yield
            except BaseException as exc:
                kind = type(exc).__name__
                span.set_attribute("error.type", kind)
                state = getattr(exc, "sqlstate", None)
                if state:
                    span.set_attribute("db.response.status_code", str(state))
                span.set_status(trace.Status(trace.StatusCode.ERROR, kind))
                raise

    def _attributes_of(self, query: Query) -> dict[str, str | int]:
        statement = query.sql.split("*/", 1)[-1].strip()
        attributes = {
            **self._common,
            "db.operation": statement.split(None, 1)[0].upper() if statement else "",
            "db.statement": query.sql,
            "shopdb.query": query.name,
        }
        self._attributes[query.name] = attributes
        return attributes
