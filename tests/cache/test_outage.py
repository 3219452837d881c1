"""A Redis outage costs speed, never an error: Redis stopped, paused (SIGSTOP), answering
garbage or restarted mid-run, every read answers from the database within the timeout, the
breaker opens after CACHE_BREAKER_FAILURES failures (gauge, change counter, one log line per
change) and probes again after the cool-down."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
import redis
from prometheus_client import REGISTRY

from shopdb import Database, Settings
from shopdb.models import Actor
from shopdb.testing import with_settings
from shopdb.testing.redis_server import RedisServer, free_port
from tests.cache.conftest import cache_settings
from tests.support.catalog import new_product

# a short timeout and cool-down: the outage is felt and over quickly
SHORT = {"cache_timeout_ms": 100, "cache_breaker_cooldown_ms": 300, "cache_breaker_failures": 3}
HANG = 2.0  # no read may take this long (the timeout is 0.1 s; a paused Redis never answers)


def breaker(name: str) -> float | None:
    return REGISTRY.get_sample_value("shopdb_cache_breaker_state", {"redis": name})


def changes(name: str, state: str) -> float:
    found = REGISTRY.get_sample_value(
        "shopdb_cache_breaker_changes_total", {"redis": name, "state": state}
    )
    return found or 0.0


@pytest.fixture
def outage_db(
    settings: Settings, redis_srv: RedisServer, raw_redis: redis.Redis
) -> Iterator[Database]:
    with Database(cache_settings(settings, redis_srv, **SHORT), name=f"o{uuid4().hex[:6]}") as db:
        yield db


def product(db: Database) -> UUID:
    return db.products.create_with_variants(new_product()).product.id


def timed_reads(db: Database, pid: UUID, n: int) -> list[tuple[float, Decimal]]:
    """``n`` reads of the details: how long each took and the price it saw."""
    found = []
    for _ in range(n):
        began = time.perf_counter()
        price = db.products.get_with_details(pid).product.price
        found.append((time.perf_counter() - began, price))
    return found


def wait_until(condition: Any, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition never held"
        time.sleep(0.02)


def test_redis_paused_then_resumed_reads_answer_from_the_database_and_the_breaker_cycles(
    settings: Settings, redis_srv: RedisServer, raw_redis: redis.Redis,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    # a cool-down no read of the paused phase outlasts, even on a loaded machine
    cycle = cache_settings(settings, redis_srv, **{**SHORT, "cache_breaker_cooldown_ms": 1500})
    with Database(cycle, name=f"o{uuid4().hex[:6]}") as db:
        pid = product(db)
        db.products.get_with_details(pid)
        caplog.set_level(logging.INFO, logger="shopdb.cache")
        redis_srv.pause()
        try:
            reads = timed_reads(db, pid, 4)  # three failures open the breaker
            assert breaker(db.name) == 2  # open
            with db.capture_queries() as ran:
                db.products.get_with_details(pid)  # open: the database, no Redis call
            assert len(ran) == 4
        finally:
            redis_srv.resume()
        assert all(took < HANG for took, _ in reads)
        assert {price for _, price in reads} == {Decimal("10.00")}
        time.sleep(1.55)  # the cool-down: the next read probes Redis and closes the breaker
        db.products.get_with_details(pid)
        assert breaker(db.name) == 0
        with db.capture_queries() as ran:
            db.products.get_with_details(pid)
        assert ran == []  # served from Redis again
        lines = [r.getMessage() for r in caplog.records if r.name == "shopdb.cache"]
        assert [line.split(": Redis breaker ")[1].split()[0] for line in lines] == [
            "open", "half-open", "closed"
        ]  # fmt: skip
        assert changes(db.name, "open") == 1


def test_redis_stopped_and_restarted_mid_run_costs_no_error(
    outage_db: Database, redis_srv: RedisServer
) -> None:
    db = outage_db
    pid = product(db)
    db.products.get_with_details(pid)
    redis_srv.stop()
    try:
        reads = timed_reads(db, pid, 8)
        assert all(took < HANG for took, _ in reads)
        assert breaker(db.name) == 2
    finally:
        redis_srv.start()
    time.sleep(0.35)
    timed_reads(db, pid, 2)  # the probe closes the breaker; the empty Redis is refilled
    assert breaker(db.name) == 0
    with db.capture_queries() as ran:
        db.products.get_with_details(pid)
    assert ran == []


def test_a_breaker_that_probes_a_still_dead_redis_opens_again(
    outage_db: Database, redis_srv: RedisServer
) -> None:
    db = outage_db
    pid = product(db)
    redis_srv.stop()
    try:
        timed_reads(db, pid, 4)
        opened = changes(db.name, "open")
        time.sleep(0.35)
        timed_reads(db, pid, 1)  # the probe fails
        assert breaker(db.name) == 2
        assert changes(db.name, "open") == opened + 1
    finally:
        redis_srv.start()


class GarbageServer:
    """A TCP server that answers every request with bytes that are no RESP reply."""

    def __init__(self) -> None:
        self.port = free_port()
        self._sock = socket.create_server(("127.0.0.1", self.port))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        self._sock.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(1)
            try:
                while conn.recv(4096):
                    conn.sendall(b"?garbage\x00\xff not redis\r\n")
            except OSError:
                return

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self._sock.close()


def test_a_server_answering_garbage_is_a_failure_and_reads_go_to_the_database(
    settings: Settings,
) -> None:
    server = GarbageServer()
    try:
        url = f"redis://127.0.0.1:{server.port}/0"
        with Database(with_settings(settings, redis_url=url, **SHORT), name="garbage") as db:
            pid = product(db)
            reads = timed_reads(db, pid, 6)
            assert {price for _, price in reads} == {Decimal("10.00")}
            assert all(took < HANG for took, _ in reads)
            assert breaker("garbage") == 2
    finally:
        server.close()


def test_a_garbage_entry_in_redis_is_read_from_the_database_and_replaced(
    outage_db: Database, raw_redis: redis.Redis
) -> None:
    db = outage_db
    pid = product(db)
    db.products.get_with_details(pid)
    (key,) = raw_redis.keys("shopdb:c:products.details:*")
    raw_redis.set(key, b"\x00\x01 not an entry")
    assert db.products.get_with_details(pid).product.price == Decimal("10.00")
    errors = REGISTRY.get_sample_value(
        "shopdb_cache_events_total", {"cache": "products.details", "event": "error"}
    )
    assert errors is not None and errors >= 1
    with db.capture_queries() as ran:
        db.products.get_with_details(pid)
    assert ran == []  # the refill replaced it


def test_a_write_while_redis_is_paused_is_delivered_before_the_next_read_from_redis(
    outage_db: Database, redis_srv: RedisServer
) -> None:
    db = outage_db
    pid = product(db)
    db.products.get_with_details(pid)  # cached at 10.00
    redis_srv.pause()
    try:
        version = db.products.get(pid).version
        db.products.change_price(
            pid, Decimal("20.00"), expected_version=version, actor=Actor.system()
        )
        assert db.cache.pending  # the bump could not be sent
        assert db.products.get_with_details(pid).product.price == Decimal("20.00")
    finally:
        redis_srv.resume()
    wait_until(
        lambda: (
            db.products.get_with_details(pid).product.price == Decimal("20.00")
            and not db.cache.pending
        )
    )
    assert breaker(db.name) == 0
    assert db.products.get_with_details(pid).product.price == Decimal("20.00")
