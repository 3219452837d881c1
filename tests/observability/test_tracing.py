"""QUERY_TRACING: one OpenTelemetry span per named query, named after it, with the database
attributes and never a parameter value (the SDK's in-memory exporter)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from shopdb import ConflictError, Database, Settings
from shopdb.models import NewUser
from shopdb.testing import with_settings

EMAIL = "traced.person@example.com"
HASH = "$2b$12$" + "t" * 53


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    """Where the spans of the test's provider end up."""
    return InMemorySpanExporter()


@pytest.fixture
def provider(exporter: InMemorySpanExporter) -> TracerProvider:
    """An SDK provider sending each finished span to ``exporter``."""
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider


@pytest.fixture
def traced(settings: Settings, provider: TracerProvider) -> Iterator[Database]:
    """A Database with QUERY_TRACING on, its spans sent to ``provider``."""
    with Database(with_settings(settings, query_tracing=True), tracer_provider=provider) as db:
        yield db


def _values(span: ReadableSpan) -> str:
    return " ".join(str(value) for value in (span.attributes or {}).values())


def test_each_query_run_is_one_client_span_named_after_it(
    traced: Database, exporter: InMemorySpanExporter, settings: Settings
) -> None:
    user = traced.users.create(NewUser(email=EMAIL, password_hash=HASH))
    traced.users.get(user.id)

    create, get = exporter.get_finished_spans()
    assert (create.name, get.name) == ("users.create", "users.get")
    assert get.kind is SpanKind.CLIENT and get.status.status_code is StatusCode.UNSET
    attributes = dict(get.attributes or {})
    assert attributes["db.system"] == "postgresql"
    assert attributes["db.name"] == settings.database_url.get_secret_value().rsplit("/", 1)[1]
    assert attributes["db.operation"] == "SELECT"
    assert attributes["shopdb.query"] == "users.get"
    assert str(attributes["db.statement"]).startswith("/* shopdb:users.get */ SELECT")
    for span in (create, get):
        assert EMAIL not in _values(span) and str(user.id) not in _values(span)
        assert HASH not in _values(span)


def test_a_failed_query_is_an_error_span_without_the_server_message(
    traced: Database, exporter: InMemorySpanExporter
) -> None:
    traced.users.create(NewUser(email=EMAIL, password_hash=HASH))
    with pytest.raises(ConflictError):
        traced.users.create(NewUser(email=EMAIL.upper(), password_hash=HASH))

    failed = exporter.get_finished_spans()[-1]
    assert failed.name == "users.create"
    assert failed.status.status_code is StatusCode.ERROR
    assert failed.status.description == "ConflictError"
    attributes = dict(failed.attributes or {})
    assert (attributes["error.type"], attributes["db.response.status_code"]) == (
        "ConflictError",
        "23505",
    )
    assert failed.events == () and EMAIL.upper() not in _values(failed)
    assert EMAIL not in _values(failed)


def test_spans_nest_under_the_caller_span(traced: Database, exporter: InMemorySpanExporter) -> None:
    tracer = traced.timer.tracer
    assert tracer is not None
    outer = tracer._tracer  # type: ignore[attr-defined]
    with outer.start_as_current_span("checkout") as parent:
        traced.users.count()

    count, checkout = exporter.get_finished_spans()
    assert count.parent is not None and count.parent.span_id == parent.get_span_context().span_id
    assert checkout.name == "checkout"


def test_tracing_is_off_by_default(db: Database) -> None:
    assert db.timer.tracer is None and db.timer.explainer is None
