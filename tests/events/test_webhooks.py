"""Webhooks against a real HTTP receiver (a thread of this process; a killed dispatcher is a
subprocess): signed deliveries a receiver verifies, retries with backoff, dead letters, one
send per attempt with two dispatchers, leases that outlive a killed dispatcher, deactivation,
order per aggregate, and a secret that shows nowhere."""

from __future__ import annotations

import itertools
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
from prometheus_client import REGISTRY, generate_latest

from shopdb import Database, Settings
from shopdb.core.errors import InvalidInput, ProgrammingError
from shopdb.models import OrderStatus
from shopdb.models.events import EventType, OrderDelivered, OrderPaid, OrderShipped, OutboxEvent
from shopdb.models.webhooks import AttemptOutcome, DeliveryStatus, WebhookEndpoint
from shopdb.testing import scratch_database
from shopdb.webhooks import SignatureExpired, SignatureHeaderMalformed, SignatureMismatch, verify
from shopdb.webhooks.dispatcher import Policy
from tests.conftest import TEST_TWO_FACTOR_KEY
from tests.events.receiver import Receiver

SECRET = "whsec_test_0123456789abcdef"


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


@pytest.fixture(scope="module")
def hooks_url(postgresql_server: Any) -> Iterator[str]:
    """One migrated database for the module (each test switches its endpoints off after it,
    so no test's deliveries reach another's dispatch)."""
    template = postgresql_server.template_dbname
    with scratch_database(postgresql_server, "shopdb_hooks", template=template) as url:
        yield url


@pytest.fixture(scope="module")
def hooks_db(hooks_url: str) -> Iterator[Database]:
    """A Database whose dispatcher retries fast, gives up on a POST after 0.5 s and leases
    a claim for 2 s."""
    fast = Settings(
        database_url=hooks_url, database_pool_min=1, database_pool_max=4,
        two_factor_key=TEST_TWO_FACTOR_KEY, webhook_retry_base_s=0.2, webhook_timeout_s=0.5,
        webhook_lease_s=2, webhook_max_attempts=3,
    )  # fmt: skip
    with Database(fast) as database:
        yield database


@pytest.fixture
def hooks(hooks_db: Database) -> Iterator[Database]:
    """The module's Database; the endpoints a test added are switched off after it."""
    yield hooks_db
    for endpoint in hooks_db.webhooks.list_endpoints():
        if endpoint.active:
            hooks_db.webhooks.deactivate_endpoint(endpoint.id)


def _path(behaviour: str) -> str:
    return f"{behaviour}?t={uuid4().hex[:12]}"


def _paid(db: Database, order_id: UUID | None = None) -> OutboxEvent:
    """An order.paid event, committed (its order need not exist for the outbox)."""
    return db.events.record(
        OrderPaid(order_id=order_id or uuid4(), reference=f"ORD-{uuid4().hex[:6]}", user_id=None,
                  status=OrderStatus.PAID, total_amount=Decimal("10.00"), currency="TRY",
                  version=2)
    )  # fmt: skip


def _endpoint(db: Database, receiver: Receiver, path: str) -> WebhookEndpoint:
    return db.webhooks.add_endpoint(receiver.url(path), [EventType.ORDER_PAID, "order.shipped",
                                                         "order.delivered"], SECRET)  # fmt: skip


def _until(done: Callable[[], bool], step: Callable[[], object], timeout_s: float = 30) -> None:
    """Run ``step`` until ``done`` holds. The outbox shows an event to its consumers once
    every older transaction of the server has ended, which another test may delay."""
    deadline = time.monotonic() + timeout_s
    while not done():
        assert time.monotonic() < deadline, "timed out"
        step()
        time.sleep(0.02)


def _status(db: Database, event: OutboxEvent) -> DeliveryStatus | None:
    found = db.webhooks.deliveries_of_event(event.id)
    return found[0].status if found else None


def test_a_delivery_is_signed_and_the_receiver_verifies_it(
    hooks: Database, receiver: Receiver
) -> None:
    path = _path("/ok")
    endpoint = _endpoint(hooks, receiver, path)
    event = _paid(hooks)
    _until(lambda: _status(hooks, event) is DeliveryStatus.DELIVERED, hooks.webhooks.dispatch)

    (got,) = receiver.to(path)
    assert got.headers["shopdb-event-id"] == str(event.id)
    assert got.headers["shopdb-event-type"] == "order.paid"
    signed_at = verify(SECRET, got.headers["shopdb-signature"], got.body)
    assert abs(signed_at - time.time()) < 60
    assert b'"type":"order.paid"' in got.body and str(event.id).encode() in got.body
    (delivery,) = hooks.webhooks.deliveries_of_event(event.id)
    (attempt,) = hooks.webhooks.attempts_of(delivery.id)
    assert (attempt.outcome, attempt.http_status, attempt.error) == (
        AttemptOutcome.SUCCEEDED, 200, None)  # fmt: skip
    assert delivery.endpoint_id == endpoint.id and delivery.delivered_at is not None


def test_a_failing_endpoint_is_retried_with_backoff_then_dead(
    hooks: Database, receiver: Receiver
) -> None:
    path = _path("/fail")
    _endpoint(hooks, receiver, path)
    event = _paid(hooks)
    _until(lambda: _status(hooks, event) is DeliveryStatus.DEAD, hooks.webhooks.dispatch)

    (delivery,) = hooks.webhooks.deliveries_of_event(event.id)
    attempts = hooks.webhooks.attempts_of(delivery.id)
    assert [(a.attempt, a.outcome, a.http_status) for a in attempts] == [
        (n, AttemptOutcome.FAILED, 500) for n in (1, 2, 3)]  # fmt: skip
    assert len(receiver.to(path)) == 3
    gaps = [(b.created_at - a.created_at).total_seconds() for a, b in itertools.pairwise(attempts)]
    assert gaps[0] >= 0.2 and gaps[1] >= 0.4  # base, then doubled
    assert delivery.last_error == "HTTP 500"


def test_the_backoff_doubles_from_the_base_with_up_to_a_quarter_of_jitter() -> None:
    policy = Policy(base_s=10, max_attempts=5, jitter=lambda: 1.0)
    assert [policy.retry_in(n) for n in (1, 2, 3)] == [12.5, 25.0, 50.0]
    calm = Policy(base_s=10, max_attempts=5, jitter=lambda: 0.0)
    assert [calm.retry_in(n) for n in (1, 2, 3)] == [10.0, 20.0, 40.0]


def test_a_slow_answer_is_delivered_and_its_latency_recorded(
    hooks: Database, receiver: Receiver
) -> None:
    path = _path("/slow")
    _endpoint(hooks, receiver, path)
    event = _paid(hooks)
    _until(lambda: _status(hooks, event) is DeliveryStatus.DELIVERED, hooks.webhooks.dispatch)
    (delivery,) = hooks.webhooks.deliveries_of_event(event.id)
    (attempt,) = hooks.webhooks.attempts_of(delivery.id)
    assert attempt.outcome is AttemptOutcome.SUCCEEDED and attempt.latency_ms >= 300


@pytest.mark.parametrize("where", ["hang", "closed"])
def test_no_answer_is_a_failed_attempt_without_status(
    hooks: Database, receiver: Receiver, where: str
) -> None:
    url = receiver.url(_path("/hang")) if where == "hang" else "http://127.0.0.1:9/closed"
    hooks.webhooks.add_endpoint(url, ["order.paid"], SECRET)
    event = _paid(hooks)
    _until(lambda: bool(_attempts(hooks, event)), hooks.webhooks.dispatch)
    (attempt,) = _attempts(hooks, event)
    assert (attempt.outcome, attempt.http_status) == (AttemptOutcome.FAILED, None)
    assert attempt.error is not None
    assert ("Timeout" if where == "hang" else "ConnectError") in attempt.error
    assert _status(hooks, event) is DeliveryStatus.PENDING  # to be retried


def _attempts(db: Database, event: OutboxEvent) -> list[Any]:
    return [a for d in db.webhooks.deliveries_of_event(event.id)
            for a in db.webhooks.attempts_of(d.id)]  # fmt: skip


def test_two_dispatchers_in_parallel_never_send_the_same_attempt_twice(
    hooks: Database, receiver: Receiver
) -> None:
    path = _path("/slow")
    endpoint = _endpoint(hooks, receiver, path)
    events = [_paid(hooks) for _ in range(24)]
    stop = threading.Event()
    errors: list[BaseException] = []

    def dispatcher() -> None:
        try:
            while not stop.is_set():
                hooks.webhooks.dispatch(limit=4)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for thread in threads:
        thread.start()
    try:
        _until(lambda: all(d.status is DeliveryStatus.DELIVERED
                           for d in hooks.webhooks.deliveries_of_endpoint(endpoint.id))
               and len(hooks.webhooks.deliveries_of_endpoint(endpoint.id)) == 24,
               lambda: None, timeout_s=60)  # fmt: skip
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert errors == []
    got = receiver.to(path)
    assert sorted(r.event_id for r in got) == sorted(str(e.id) for e in events)
    assert len({r.attempt for r in got}) == len(got) == 24


def test_a_killed_dispatcher_leaves_its_deliveries_to_be_retried(
    hooks: Database, receiver: Receiver, hooks_url: str
) -> None:
    path = _path("/hang")
    _endpoint(hooks, receiver, path)
    event = _paid(hooks)
    receiver.hang_s = 20.0
    env = {**os.environ, "DATABASE_URL": hooks_url, "TWO_FACTOR_KEY": _two_factor_key(hooks),
           "WEBHOOK_TIMEOUT_S": "30", "WEBHOOK_LEASE_S": "1"}  # fmt: skip
    worker = subprocess.Popen(
        [sys.executable, "-m", "shopdb", "dispatch", "--idle", "0.05", "--no-notifications"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _until(lambda: bool(receiver.to(path)), lambda: None, timeout_s=60)
        worker.send_signal(signal.SIGKILL)  # mid-batch: its POST is still waiting
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        receiver.hang_s = 3.0
    (delivery,) = hooks.webhooks.deliveries_of_event(event.id)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
    assert hooks.webhooks.attempts_of(delivery.id) == []  # the killed attempt recorded nothing

    receiver.hang_s = 0.0  # the receiver answers at once now
    _until(lambda: _status(hooks, event) is DeliveryStatus.DELIVERED, hooks.webhooks.dispatch)
    (attempt,) = hooks.webhooks.attempts_of(delivery.id)
    assert (attempt.attempt, attempt.outcome) == (2, AttemptOutcome.SUCCEEDED)
    assert [r.headers["shopdb-attempt"] for r in receiver.to(path)] == ["1", "2"]
    receiver.hang_s = 3.0


def _two_factor_key(db: Database) -> str:
    key = db.settings.two_factor_key
    assert key is not None
    return key.get_secret_value()


def test_an_endpoint_deactivated_mid_run_gets_nothing_more(
    hooks: Database, receiver: Receiver
) -> None:
    path = _path("/ok")
    endpoint = _endpoint(hooks, receiver, path)
    for _ in range(6):
        _paid(hooks)
    receiver.on_request = lambda got: (
        hooks.webhooks.deactivate_endpoint(endpoint.id) if got.path == path else None)  # fmt: skip
    try:
        _until(lambda: bool(receiver.to(path)), lambda: hooks.webhooks.dispatch(limit=10))
    finally:
        receiver.on_request = None
    time.sleep(2.1)  # past the leases of the claims that were not sent
    assert hooks.webhooks.dispatch(limit=10) == 0
    assert len(receiver.to(path)) == 1
    assert not hooks.webhooks.get_endpoint(endpoint.id).active


def test_an_aggregate_s_events_reach_an_endpoint_in_order(
    hooks: Database, receiver: Receiver
) -> None:
    path = _path("/flaky")  # every event fails once before it is taken
    _endpoint(hooks, receiver, path)
    order_id = uuid4()
    paid = _paid(hooks, order_id)
    common = paid.payload | {"order_id": order_id}
    later = [
        hooks.events.record(OrderShipped.model_validate(common | {"status": "SHIPPED"})),
        hooks.events.record(OrderDelivered.model_validate(common | {"status": "DELIVERED"})),
    ]
    events = [paid, *later]
    _until(lambda: all(_status(hooks, e) is DeliveryStatus.DELIVERED for e in events),
           hooks.webhooks.dispatch)  # fmt: skip
    sent = [r.event_id for r in receiver.to(path)]
    ids = [str(e.id) for e in events]
    assert sent == [ids[0], ids[0], ids[1], ids[1], ids[2], ids[2]]


def test_the_secret_shows_in_no_log_error_metric_or_read(
    hooks: Database, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    endpoints = [_endpoint(hooks, receiver, _path(p)) for p in ("/ok", "/fail", "/hang")] + [
        hooks.webhooks.add_endpoint("http://127.0.0.1:9/closed", ["order.paid"], SECRET)
    ]
    event = _paid(hooks)
    _until(lambda: len(_attempts(hooks, event)) >= 4, hooks.webhooks.dispatch)

    texts = [caplog.text, generate_latest(REGISTRY).decode()]
    texts += [repr(e) for e in endpoints] + [repr(hooks.webhooks.list_endpoints())]
    texts += [repr(_attempts(hooks, event)), repr(hooks.webhooks.deliveries_of_event(event.id))]
    texts += [repr(hooks.audit.history("webhook_endpoints", endpoints[0].id).items)]
    with hooks.transaction() as tx:
        stored = tx.connection.execute("SELECT secret_sealed FROM webhook_endpoints").fetchall()
    texts += [repr(stored)]
    assert "webhook delivery" in caplog.text  # the dispatcher did log its attempts
    assert all(SECRET not in text for text in texts)


def test_a_bad_endpoint_is_refused_and_nothing_is_written(hooks: Database) -> None:
    before = hooks.webhooks.list_endpoints()
    for url, types, secret in [
        ("ftp://hooks.example.com", ["order.paid"], SECRET),
        ("https://hooks.example.com", ["order.exploded"], SECRET),
        ("https://hooks.example.com", [], SECRET),
        ("https://hooks.example.com", ["order.paid"], "short"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            hooks.webhooks.add_endpoint(url, types, secret)
        assert SECRET not in str(refused.value)
    assert hooks.webhooks.list_endpoints() == before


def test_dispatch_is_refused_inside_a_transaction(hooks: Database) -> None:
    with pytest.raises(ProgrammingError, match="Database"), hooks.transaction() as tx:
        tx.webhooks.dispatch()


def test_a_dead_letter_can_be_replayed(hooks: Database, receiver: Receiver) -> None:
    path = _path("/fail")
    _endpoint(hooks, receiver, path)
    event = _paid(hooks)
    _until(lambda: _status(hooks, event) is DeliveryStatus.DEAD, hooks.webhooks.dispatch)
    (delivery,) = hooks.webhooks.deliveries_of_event(event.id)
    undelivered = hooks.webhooks.count_undelivered(0)  # a dead one is not counted
    hooks.webhooks.retry_now(delivery.id)
    assert _status(hooks, event) is DeliveryStatus.PENDING
    assert hooks.webhooks.count_undelivered(0) == undelivered + 1


def test_verify_refuses_a_forged_altered_or_replayed_webhook() -> None:
    from shopdb.webhooks import sign

    body = b'{"id":"1","type":"order.paid"}'
    now = 1_800_000_000
    header = sign(SECRET, body, timestamp=now)
    assert verify(SECRET, header, body, now=now + 10) == now
    assert verify(SECRET, f"{header},v1={'0' * 64}", body, now=now) == now  # a rotation
    with pytest.raises(SignatureMismatch):
        verify(SECRET, header, body + b" ", now=now)
    with pytest.raises(SignatureMismatch):
        verify("another-secret-0123456789", header, body, now=now)
    with pytest.raises(SignatureExpired):
        verify(SECRET, header, body, tolerance_s=300, now=now + 301)
    for broken in (None, "", "v1=abc", f"t=abc,v1={'0' * 64}", f"t={now}"):
        with pytest.raises(SignatureHeaderMalformed):
            verify(SECRET, broken, body, now=now)


def test_a_later_event_waits_while_an_earlier_one_of_its_aggregate_is_not_fanned_out(
    hooks: Database, receiver: Receiver
) -> None:
    path = _path("/ok")
    endpoint = _endpoint(hooks, receiver, path)
    order_id = uuid4()
    first = _paid(hooks, order_id)
    second = hooks.events.record(OrderShipped.model_validate(first.payload | {"status": "SHIPPED"}))
    with hooks.transaction() as tx:  # the second's delivery written ahead of the fan-out
        tx.connection.execute(
            """INSERT INTO webhook_deliveries
                      (endpoint_id, event_id, aggregate_type, aggregate_id, sequence)
               VALUES (%s, %s, 'order', %s, 2)""",
            [endpoint.id, second.id, order_id],
        )
    claimed = hooks.webhooks.claim(100, 2)
    assert second.id not in {c.event_id for c in claimed}
    _until(lambda: _status(hooks, second) is DeliveryStatus.DELIVERED, hooks.webhooks.dispatch)
    assert [r.event_id for r in receiver.to(path)] == [str(first.id), str(second.id)]


def test_shopdb_dispatch_once_runs_one_batch_and_says_how_many_attempts(
    hooks: Database, receiver: Receiver, hooks_url: str
) -> None:
    path = _path("/ok")
    _endpoint(hooks, receiver, path)
    _paid(hooks)
    env = {**os.environ, "DATABASE_URL": hooks_url, "TWO_FACTOR_KEY": _two_factor_key(hooks)}
    outputs: list[str] = []

    def run_once() -> None:
        done = subprocess.run(
            [sys.executable, "-m", "shopdb", "dispatch", "--once", "--no-notifications"],
            env=env, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)

    _until(lambda: bool(receiver.to(path)), run_once)
    assert "made 1 webhook attempt(s)" in outputs[-1]
