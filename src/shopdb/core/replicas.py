"""Reads from streaming replicas: a pool per replica, lag measured by the library, primary
fallback, and read-your-writes.

A repository names the reads a replica may answer (``replica_reads``). Outside a transaction
the ReplicaRouter sends each of them to a replica that is up and at most MAX_REPLICA_LAG_MS
behind; everything else, and every statement of a transaction, runs on the primary. A replica
that is down, behind, or fails the read sends it to the primary (a metric counts it), never
an error to the caller: a read is safe to run twice.

Lag is measured from WAL positions, never from ``now() - pg_last_xact_replay_timestamp()``
(which grows on an idle primary): every REPLICA_LAG_SAMPLE_MS a background thread reads the
primary's ``pg_current_wal_insert_lsn()`` and each replica's ``pg_last_wal_replay_lsn()``. The
bytes behind are their difference; the time behind is how long ago the primary first stood
past the position the replica has replayed (kept from the primary's past samples), so an idle
primary with an idle replica is 0 ms behind and a paused replica falls behind from the first
write it misses.

``Database.consistent()`` makes reads follow the caller's writes: after a write inside it, a
replica read waits (READ_YOUR_WRITES_WAIT_MS at most) until a replica has replayed the
primary's WAL position taken after that write, else it reads the primary. The position is a
token (``Consistency.token()``) a web application carries to the next request.
"""

from __future__ import annotations

import contextvars
import itertools
import logging
import re
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from time import monotonic, perf_counter, sleep
from typing import Any, Literal

from prometheus_client import Counter, Gauge, Histogram

from shopdb.core.errors import DatabaseUnavailable, InvalidInput, SerializationFailure, ShopDBError
from shopdb.core.queries import Query, load_queries
from shopdb.core.runner import PoolRunner

log = logging.getLogger("shopdb.replicas")

State = Literal["unsampled", "ok", "lagging", "down", "not_a_replica"]
PRIMARY = "primary"

READS = Counter(
    "shopdb_replica_reads_total",
    "Replica-eligible reads, by the pool that answered them (primary or a replica's name).",
    ["pool"],
)
FALLBACKS = Counter(
    "shopdb_replica_fallbacks_total",
    "Replica-eligible reads sent to the primary, by replica and reason (down, lagging, "
    "unsampled, not_a_replica, failed, conflict, read_your_writes).",
    ["pool", "reason"],
)
LAG_BYTES = Gauge(
    "shopdb_replica_lag_bytes", "WAL bytes the replica has not replayed yet.", ["pool"]
)
LAG_SECONDS = Gauge(
    "shopdb_replica_lag_seconds",
    "How long ago the primary first wrote WAL that the replica has not replayed.",
    ["pool"],
)
UP = Gauge("shopdb_replica_up", "1 when the replica serves reads (up, within lag).", ["pool"])
WAITS = Histogram(
    "shopdb_read_your_writes_wait_seconds",
    "Time a read in db.consistent() waited for a replica to replay the block's writes, by "
    "where it then read (a replica, or the primary once the wait was over).",
    ["pool"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0),
)

_LSN_TOKEN = re.compile(r"([0-9A-F]{1,8})/([0-9A-F]{1,8})")
_POLL_S = 0.002


def format_lsn(position: int) -> str:
    """A WAL position as PostgreSQL writes it: ``16/B374D848``."""
    return f"{position >> 32:X}/{position & 0xFFFFFFFF:X}"


def parse_lsn(token: str) -> int:
    """The WAL position of a token from ``Consistency.token()``; InvalidInput otherwise."""
    match = _LSN_TOKEN.fullmatch(token.strip().upper())
    if match is None:
        raise InvalidInput("consistency token: not a WAL position like 16/B374D848")
    return (int(match[1], 16) << 32) + int(match[2], 16)


@dataclass
class Replica:
    """One replica: its pool's runner and what the last sample found."""

    name: str
    runner: PoolRunner
    state: State = "unsampled"
    replayed: int | None = None
    lag_bytes: int | None = None
    lag_ms: float | None = None
    sampled_at: float | None = None

    def set_state(self, state: State) -> None:
        if state != self.state:
            log.info("replica %s: %s -> %s", self.name, self.state, state)
        self.state = state
        UP.labels(self.name).set(1 if state == "ok" else 0)


@dataclass
class Consistency:
    """A ``db.consistent()`` block: the WAL position its reads must see on a replica."""

    router: ReplicaRouter | None
    position: int | None = None
    wrote: bool = False
    """A write ran since ``position`` was last read from the primary."""
    waits: list[float] = field(default_factory=list)

    def token(self) -> str | None:
        """The WAL position that the block's writes reached (``16/B374D848``), to hand to the
        next request's ``db.consistent(token)``; None when nothing needs waiting for."""
        position = self.required()
        return None if position is None else format_lsn(position)

    def required(self) -> int | None:
        """The position a replica must have replayed; reads the primary's after a write."""
        if self.wrote and self.router is not None:
            now = self.router.primary_position()
            if now is not None:
                self.position = max(now, self.position or 0)
                self.wrote = False
        return self.position


_CURRENT: contextvars.ContextVar[Consistency | None] = contextvars.ContextVar(
    "shopdb_consistency", default=None
)


class ReplicaRouter:
    """The Database's runner when replicas are configured: replica reads to a replica,
    everything else to the primary (see the module's docstring)."""

    def __init__(
        self,
        primary: PoolRunner,
        replicas: list[Replica],
        *,
        sample_s: float,
        max_lag_ms: float,
        wait_s: float,
    ) -> None:
        self.primary = primary
        self.replicas = replicas
        self.sample_s = sample_s
        self.max_lag_ms = max_lag_ms
        self.wait_s = wait_s
        queries = load_queries()["replicas"]
        self._primary_lsn: Query = queries["primary_lsn"]
        self._replay_lsn: Query = queries["replay_lsn"]
        # (monotonic time, primary WAL position) of past samples: enough to span the lag limit.
        span = int(max_lag_ms / 1000 / sample_s) + 4
        self._history: deque[tuple[float, int]] = deque(maxlen=min(max(span, 8), 10_000))
        self._turn = itertools.count()
        self._stop = threading.Event()
        self._sampler: threading.Thread | None = None
        self._sampled = threading.Event()

    # --- the read path --------------------------------------------------------------------

    def run(self, query: Query, params: Any) -> Any:
        """Run one statement: a declared replica read on a replica when one qualifies."""
        if not query.replica:
            result = self.primary.run(query, params)
            if not query.is_read:
                current = _CURRENT.get()
                if current is not None and current.router is self:
                    current.wrote = True
            return result
        replica = self._choose()
        if replica is not None:
            try:
                result = replica.runner.run(query, params)
            except DatabaseUnavailable:
                replica.set_state("down")  # until the next sample finds it answering
                FALLBACKS.labels(replica.name, "failed").inc()
            except SerializationFailure:
                # 40001 on a standby: cancelled by a conflict with recovery (vacuum replayed).
                FALLBACKS.labels(replica.name, "conflict").inc()
            else:
                READS.labels(replica.name).inc()
                return result
        READS.labels(PRIMARY).inc()
        return self.primary.run(query, params)

    def _choose(self) -> Replica | None:
        ready = [r for r in self.replicas if r.state == "ok"]
        if not ready:
            for replica in self.replicas:
                FALLBACKS.labels(replica.name, replica.state).inc()
            return None
        start = next(self._turn)
        ready = ready[start % len(ready) :] + ready[: start % len(ready)]
        current = _CURRENT.get()
        needed = current.required() if current is not None and current.router is self else None
        if needed is None:
            return ready[0]
        return self._caught_up(ready, needed, current)

    def _caught_up(
        self, ready: list[Replica], needed: int, current: Consistency | None
    ) -> Replica | None:
        """The first replica that has replayed ``needed``, polled for READ_YOUR_WRITES_WAIT_MS
        at most; None (the primary) when none got there in time."""
        start = perf_counter()
        deadline = start + self.wait_s
        while True:
            for replica in ready:
                if replica.replayed is not None and replica.replayed >= needed:
                    waited = perf_counter() - start
                    WAITS.labels(replica.name).observe(waited)
                    if current is not None:
                        current.waits.append(waited)
                    return replica
            if perf_counter() >= deadline:
                break
            for replica in ready:
                self._poll(replica)
            if all(r.replayed is not None and r.replayed < needed for r in ready):
                sleep(_POLL_S)
        waited = perf_counter() - start
        WAITS.labels(PRIMARY).observe(waited)
        if current is not None:
            current.waits.append(waited)
        for replica in ready:
            FALLBACKS.labels(replica.name, "read_your_writes").inc()
        return None

    def _poll(self, replica: Replica) -> None:
        try:
            replayed = replica.runner.run(self._replay_lsn, {})
        except ShopDBError:
            replica.set_state("down")
            return
        if replayed is not None:
            replica.replayed = max(int(replayed), replica.replayed or 0)

    # --- read-your-writes -------------------------------------------------------------------

    @contextmanager
    def consistent(self, token: str | None = None) -> Iterator[Consistency]:
        """See ``Database.consistent``."""
        outer = _CURRENT.get()
        position = parse_lsn(token) if token else None
        if outer is not None and outer.router is self:
            position = max(position or 0, outer.required() or 0) or None
        block = Consistency(self, position)
        reset = _CURRENT.set(block)
        try:
            yield block
        finally:
            _CURRENT.reset(reset)
            if outer is not None and outer.router is self and block.wrote:
                outer.wrote = True

    def wrote(self) -> None:
        """A transaction committed writes: a ``consistent()`` block's reads must see them."""
        current = _CURRENT.get()
        if current is not None and current.router is self:
            current.wrote = True

    def primary_position(self) -> int | None:
        """The primary's WAL position now; None when the primary cannot say."""
        try:
            position = self.primary.run(self._primary_lsn, {})
        except ShopDBError:
            return None
        return None if position is None else int(position)

    # --- lag sampling -----------------------------------------------------------------------

    def start(self) -> None:
        """Start the sampling thread (one sample right away)."""
        self._stop.clear()
        self._sampler = threading.Thread(target=self._sample_forever, name="shopdb-replica-lag")
        self._sampler.daemon = True
        self._sampler.start()

    def stop(self) -> None:
        """Stop the sampling thread."""
        self._stop.set()
        if self._sampler is not None:
            self._sampler.join(timeout=10)
            self._sampler = None

    def wait_sampled(self, timeout_s: float) -> bool:
        """True once a first sample has been taken (within ``timeout_s``)."""
        return self._sampled.wait(timeout_s)

    def _sample_forever(self) -> None:
        while not self._stop.is_set():
            try:
                self.sample()
            except Exception:  # a sampler that dies would freeze the states: log, go on
                log.exception("replica lag sample failed")
            self._sampled.set()
            self._stop.wait(self.sample_s)

    def sample(self) -> None:
        """Measure every replica's lag once (the background thread calls it)."""
        primary = self.primary_position()
        now = monotonic()
        if primary is not None:
            self._history.append((now, primary))
        for replica in self.replicas:
            self._sample(replica, primary, now)

    def _sample(self, replica: Replica, primary: int | None, now: float) -> None:
        try:
            replayed = replica.runner.run(self._replay_lsn, {})
        except ShopDBError:
            replica.set_state("down")
            return
        replica.sampled_at = now
        if replayed is None:
            replica.set_state("not_a_replica")  # a primary: its data is not the primary's
            return
        replica.replayed = int(replayed)
        if primary is None:
            return  # the primary cannot be read: the replica keeps its last state
        replica.lag_bytes = max(0, primary - replica.replayed)
        replica.lag_ms = self._lag_ms(replica.replayed, now)
        LAG_BYTES.labels(replica.name).set(replica.lag_bytes)
        LAG_SECONDS.labels(replica.name).set(replica.lag_ms / 1000)
        replica.set_state("ok" if replica.lag_ms <= self.max_lag_ms else "lagging")

    def _lag_ms(self, replayed: int, now: float) -> float:
        """How long ago the primary first stood past ``replayed`` (0: it has not)."""
        for at, position in self._history:
            if position > replayed:
                return (now - at) * 1000
        return 0.0


class AsyncReplicaRouter:
    """What AsyncDatabase would route replica reads with. Not built yet: AsyncDatabase refuses
    DATABASE_REPLICA_URLS (``async_replica_router`` raises ConfigurationError), so its reads
    all go to the primary. The class gives AsyncDatabase's source (which the sync Database is
    generated from) the names the sync router has."""

    replicas: list[Replica]

    async def run(self, query: Query, params: Any) -> Any:
        """Never reached: no AsyncReplicaRouter is ever built."""
        raise AssertionError("AsyncReplicaRouter is never built")

    @contextmanager
    def consistent(self, token: str | None = None) -> Iterator[Consistency]:
        """Never reached: no AsyncReplicaRouter is ever built."""
        raise AssertionError("AsyncReplicaRouter is never built")
        yield Consistency(None, None)  # pragma: no cover

    def wrote(self) -> None:
        """Never reached: no AsyncReplicaRouter is ever built."""
        raise AssertionError("AsyncReplicaRouter is never built")
