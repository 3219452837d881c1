"""The failover drill: 8 threads writing and 12 reading through one Database whose
DATABASE_URL names both servers with target_session_attrs=read-write; the primary is stopped
(immediate mode) and the standby promoted. The pool finds the new primary by itself; no
write is replayed blindly; every write the library reported committed is on the new primary.

First with synchronous replication (synchronous_standby_names names the standby, fsync on):
no reported commit may be missing. Then asynchronously (the promoted server's new standby):
what PostgreSQL lost is counted, not forbidden (docs/operations.md has the figures)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from uuid import uuid4

import pytest

from shopdb import Database, Settings
from shopdb.errors import DatabaseUnavailable, NotFoundError, WriteOutcomeUnknown
from shopdb.models.security_events import NewSecurityEvent
from shopdb.testing.replication import (
    SECRETS,
    Node,
    counted,
    start_primary,
    start_standby,
    wait_until,
)

WRITERS, READERS = 8, 12


@dataclass
class Drill:
    """What the threads saw, and what the new primary holds afterwards."""

    committed: set[str] = field(default_factory=set)
    unknown: set[str] = field(default_factory=set)
    refused: int = 0
    reads: int = 0
    failed_reads: int = 0
    errors: list[BaseException] = field(default_factory=list)
    stopped_at: float = 0.0
    first_write_after_s: float | None = None
    present: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def missing(self) -> set[str]:
        return self.committed - self.present


@pytest.fixture(scope="module")
def chain() -> Iterator[list[Node]]:
    """Servers started by the drills (each drill's new primary gets the next one's standby)."""
    nodes: list[Node] = []
    try:
        yield nodes
    finally:
        for node in reversed(nodes):
            node.remove()


def _url(old: Node, new: Node) -> str:
    hosts = f"127.0.0.1:{old.port},127.0.0.1:{new.port}"
    return f"postgresql://postgres@{hosts}/shop?target_session_attrs=read-write"


def run_drill(label: str, old: Node, new: Node) -> Drill:
    """Write and read through the failover from ``old`` to ``new``; what happened."""
    drill = Drill()
    settings = Settings(
        database_url=_url(old, new),
        database_pool_min=4,
        database_pool_max=WRITERS + READERS,
        database_pool_timeout_ms=1000,
        database_connect_timeout_s=2,
        database_application_name="shopdb-drill",
        **SECRETS,
    )
    stop = threading.Event()
    with Database(settings, name="drill") as db:

        def write(writer: int) -> None:
            for n in range(1_000_000):
                if stop.is_set():
                    return
                key = f"{label}-{writer}-{n}-{uuid4().hex[:6]}"
                began = time.monotonic()
                event = NewSecurityEvent(type="FAILOVER_DRILL", user_agent=key)
                try:
                    db.security_events.record(event)
                except WriteOutcomeUnknown:
                    with drill.lock:
                        drill.unknown.add(key)
                except DatabaseUnavailable:  # refused before anything was sent
                    with drill.lock:
                        drill.refused += 1
                    time.sleep(0.02)
                except BaseException as exc:  # every other failure is the drill's finding
                    with drill.lock:
                        drill.errors.append(exc)
                    return
                else:
                    with drill.lock:
                        drill.committed.add(key)
                        after_stop = drill.stopped_at and began > drill.stopped_at
                        if after_stop and drill.first_write_after_s is None:
                            drill.first_write_after_s = time.monotonic() - drill.stopped_at

        def read() -> None:
            while not stop.is_set():
                try:
                    db.products.get(uuid4())
                except NotFoundError:
                    with drill.lock:
                        drill.reads += 1
                except DatabaseUnavailable:
                    with drill.lock:
                        drill.failed_reads += 1
                    time.sleep(0.02)
                except BaseException as exc:
                    with drill.lock:
                        drill.errors.append(exc)
                    return

        threads = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
        threads += [threading.Thread(target=read) for _ in range(READERS)]
        for thread in threads:
            thread.start()
        try:
            wait_until(lambda: len(drill.committed) >= 50, 30)
            old.stop("immediate")  # returns once the server is gone
            with drill.lock:
                drill.stopped_at = time.monotonic()
            new.promote()
            wait_until(lambda: drill.first_write_after_s is not None, 60)
            time.sleep(0.3)  # some writes and reads on the new primary
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=30)
    drill.present = _keys_on(new, label)
    return drill


def _keys_on(node: Node, label: str) -> set[str]:
    import psycopg

    with psycopg.connect(node.url(), autocommit=True) as conn:
        found = conn.execute(
            "SELECT user_agent FROM security_events"
            " WHERE type = 'FAILOVER_DRILL' AND user_agent LIKE %s",
            (f"{label}-%",),
        ).fetchall()
    return {str(row[0]) for row in found}


def _report(label: str, drill: Drill) -> None:
    # Printed for docs/operations.md (pytest -s shows it); the figures are not asserted.
    print(
        f"\n{label}: outage {drill.first_write_after_s:.2f} s (stop to first committed write); "
        f"{len(drill.committed)} writes committed, {len(drill.missing)} of them missing on the "
        f"new primary; {len(drill.unknown)} of unknown outcome "
        f"({len(drill.unknown & drill.present)} applied); {drill.refused} refused before "
        f"sending; {drill.reads} reads, "
        f"{drill.failed_reads} failed"
    )


@pytest.mark.timeout(600)
def test_failover_drills_lose_no_reported_commit_and_replay_nothing_blindly(
    chain: list[Node],
) -> None:
    """One test, three stages on a chain of servers (each stage's new primary serves the
    next), so that no worker split can run a stage without the one before it."""
    synchronous_drill(chain)
    asynchronous_drill(chain)
    read_only_server(chain)


def synchronous_drill(chain: list[Node]) -> None:
    """With a synchronous standby, no committed write is lost."""
    primary = start_primary("synchronous_commit=on", fast=False)
    chain.append(primary)
    standby = start_standby(primary, "replica")
    chain.append(standby)
    # Named once the standby streams (before, every commit would wait for it: the migrations).
    primary.execute("ALTER SYSTEM SET synchronous_standby_names = 'replica'", dbname="postgres")
    primary.execute("SELECT pg_reload_conf()", dbname="postgres")
    wait_until(lambda: primary.execute("SELECT sync_state FROM pg_stat_replication") == "sync", 10)
    drill = run_drill("synchronous", primary, standby)
    _report("synchronous", drill)
    assert drill.errors == []
    assert drill.first_write_after_s is not None
    assert drill.missing == set()
    # Writes after the promotion reached the new primary through the same pool.
    assert len(drill.committed) > 50
    # A write of unknown outcome was never replayed: each key is there at most once.
    assert drill.present <= drill.committed | drill.unknown


def asynchronous_drill(chain: list[Node]) -> None:
    """Asynchronously, at most what was not streamed is lost: counted, never invented."""
    primary = chain[1]  # the standby the synchronous drill promoted
    standby = start_standby(primary, "replica2")
    chain.append(standby)
    drill = run_drill("asynchronous", primary, standby)
    _report("asynchronous", drill)
    assert drill.errors == []
    assert drill.first_write_after_s is not None
    # What an asynchronous standby may lack: commits acknowledged before they were streamed.
    # Counted (and documented), never a write the library reported twice or invented.
    assert drill.present <= drill.committed | drill.unknown
    assert len(drill.missing) < len(drill.committed)


def read_only_server(chain: list[Node]) -> None:
    """A write refused by a read-only server (25006) is retried once on the writable one."""
    writable = chain[2]
    demoted = start_standby(writable, "demoted")
    chain.append(demoted)
    demoted.promote()  # writable too, until it is made read-only below
    settings = Settings(
        database_url=_url(demoted, writable),
        database_pool_min=2,
        database_pool_max=4,
        database_connect_timeout_s=2,
        **SECRETS,
    )
    key = f"after-{uuid4().hex[:8]}"
    refused = counted("shopdb_query_errors_total", query="security_events.record")
    with Database(settings, name="demoted-1") as one, Database(settings, name="demoted-2") as two:
        one.security_events.record(NewSecurityEvent(type="BEFORE_DEMOTION"))
        two.security_events.record(NewSecurityEvent(type="BEFORE_DEMOTION"))
        # What a demoted primary does to the connections it keeps: read-only from now on.
        demoted.execute("ALTER SYSTEM SET default_transaction_read_only = on", dbname="postgres")
        demoted.execute("SELECT pg_reload_conf()", dbname="postgres")
        wait_until(lambda: demoted.execute("SHOW transaction_read_only") == "on", 10)
        # A single statement: refused with 25006 (not applied), the pool drained, run again.
        one.security_events.record(NewSecurityEvent(type="AFTER_DEMOTION", user_agent=key))
        # A transaction: refused at its write, rolled back, retried as a whole.
        two.run_in_transaction(
            lambda tx: tx.security_events.record(
                NewSecurityEvent(type="AFTER_DEMOTION", user_agent=f"{key}-tx")
            )
        )
    on = {
        node.name: node.execute(
            "SELECT count(*) FROM security_events WHERE user_agent LIKE %s", (key + "%",)
        )
        for node in (demoted, writable)
    }
    assert on == {demoted.name: 0, writable.name: 2}
    # Each Database met the read-only server once (25006), then ran the write elsewhere.
    assert counted("shopdb_query_errors_total", query="security_events.record") == refused + 2
