"""The cache's decisions without I/O: keys, version tokens, entries, the circuit breaker and
the read-through flow. The flow is a generator that yields what it needs done (a Redis call,
the database fill, a pause) and receives the answer; the sync driver (``shopdb.cache.sync``)
and the asyncio driver (``shopdb.cache.aio``) run the same flow, one with blocking calls,
the other with awaits. Redis is never imported here.

Versions: every entry depends on tags (``<prefix>:t:product:<id>``, ``...:t:categories``,
``...:t:all``), each holding a random token. A write replaces the tokens of its tags after
COMMIT. An entry records the tokens it was filled under and is only served while they are
the current ones; the fill writes it with a compare-and-set (``FILL``) that refuses when a
token moved since the fill read them, before its database read. So a slow fill of an old
state never lands after a write, and a tag lost (evicted, Redis restarted) only empties.
"""

from __future__ import annotations

import contextlib
import enum
import random
import secrets
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from shopdb.cache.spec import GLOBAL, Bump, CachedRead

TAG_TTL_MS = 86_400_000
"""Tags live a day after their last bump or first use: an expired tag only empties the
entries that recorded it (its next token is new)."""

READ = """
local out = {redis.call('GET', KEYS[1])}
for i = 2, #KEYS do
  local t = redis.call('GET', KEYS[i])
  if not t then
    t = ARGV[i - 1]
    redis.call('SET', KEYS[i], t, 'PX', ARGV[#ARGV])
  end
  out[i] = t
end
return out
"""
"""The entry and the current token of each of its tags (a missing tag gets the new token
offered for it) in one round trip."""

FILL = """
for i = 2, #KEYS do
  if redis.call('GET', KEYS[i]) ~= ARGV[i + 1] then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
"""
"""Store the entry only while every tag still holds the token the fill read (1), else 0."""

UNLOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
"""Release a fill lock only when it is still ours (it may have expired and been retaken)."""

BUMP = """
for i = 1, #KEYS do redis.call('SET', KEYS[i], ARGV[i], 'PX', ARGV[#ARGV]) end
return #KEYS
"""
"""Give each tag a new token: every entry that recorded an old one is no longer served."""

SCRIPTS = {"read": READ, "fill": FILL, "unlock": UNLOCK, "bump": BUMP}


class CacheDown(Exception):
    """Redis did not answer, answered too late or answered garbage; or the breaker is open.
    Never leaves the cache: the caller reads the database."""


def token() -> str:
    """A new version token (random, so a tag recreated after loss never repeats one)."""
    return secrets.token_hex(8)


@dataclass(frozen=True, slots=True)
class Keys:
    """The Redis key names under one prefix."""

    prefix: str

    def entry(self, cache: str, values: Sequence[Any]) -> str:
        """The entry of cache ``namespace.read`` for these key values."""
        return f"{self.prefix}:c:{cache}:" + ":".join(_text(v) for v in values)

    def lock(self, entry: str) -> str:
        """The fill lock of an entry."""
        return f"{self.prefix}:l:{entry}"

    def tag(self, scope: str, value: Any = None) -> str:
        """The tag of a scope, or of one value in it (``product``, ``<uuid>``)."""
        base = f"{self.prefix}:t:{scope}"
        return base if value is None else f"{base}:{_text(value)}"

    def tags_of(self, spec: CachedRead, key: Mapping[str, Any]) -> list[str]:
        """The tags an entry of ``spec`` depends on: its scopes, then the global one."""
        found = [
            self.tag(scope, None if param is None else key[param])
            for scope, param in spec.scopes.items()
        ]
        return [*found, self.tag(GLOBAL)]


def _text(value: Any) -> str:
    text = "~" if value is None else str(value)
    return text.replace(":", "%3A").replace(" ", "%20")


# --- entries --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Entry:
    """A cached value as stored: when it was filled, under which tokens, its JSON."""

    filled_ms: int
    tokens: tuple[str, ...]
    payload: bytes

    def encode(self) -> bytes:
        """``v1|<filled ms>|<token,token>|<json>``."""
        head = f"v1|{self.filled_ms}|{','.join(self.tokens)}|".encode()
        return head + self.payload

    @classmethod
    def decode(cls, raw: bytes) -> Entry:
        """The entry of ``raw``; ValueError when it is not one."""
        version, filled, tokens, payload = raw.split(b"|", 3)
        if version != b"v1":
            raise ValueError("not a cache entry")
        return cls(int(filled), tuple(tokens.decode().split(",")), payload)


class Freshness(enum.Enum):
    """What a read found."""

    FRESH = "fresh"
    STALE = "stale"  # past its soft TTL, its tokens current: served while one refreshes
    MISS = "miss"  # absent, invalidated (a token moved) or unreadable


def judge(
    raw: bytes | None, tokens: Sequence[str], now_ms: int, spec: CachedRead
) -> tuple[Freshness, Entry | None]:
    """Whether ``raw`` may be served under the current ``tokens`` at ``now_ms``."""
    if raw is None:
        return Freshness.MISS, None
    entry = Entry.decode(raw)  # ValueError: garbage in Redis, counted by the caller
    if entry.tokens != tuple(tokens):
        return Freshness.MISS, None
    if now_ms - entry.filled_ms < spec.soft_ttl_s * 1000:
        return Freshness.FRESH, entry
    return Freshness.STALE, entry


# --- the circuit breaker --------------------------------------------------------------------


class BreakerState(enum.IntEnum):
    """The breaker's states, as the gauge shows them."""

    CLOSED = 0
    HALF_OPEN = 1
    OPEN = 2


class Breaker:
    """Opens after ``failures`` Redis failures in a row; while open every read goes to the
    database without a Redis call; after ``cooldown_s`` one call probes (half-open): its
    success closes the breaker, its failure opens it again. Not thread-safe: the sync driver
    holds a lock around it. Each method returns the new state when it changed, else None."""

    def __init__(self, failures: int, cooldown_s: float) -> None:
        self.limit = failures
        self.cooldown_s = cooldown_s
        self.state = BreakerState.CLOSED
        self.failures = 0
        self.opened_at = 0.0

    def allow(self, now: float) -> tuple[bool, BreakerState | None]:
        """May a call go to Redis now? The first caller after the cool-down is the probe."""
        if self.state is BreakerState.CLOSED:
            return True, None
        if self.state is BreakerState.OPEN and now - self.opened_at >= self.cooldown_s:
            self.state = BreakerState.HALF_OPEN
            return True, BreakerState.HALF_OPEN
        return False, None

    def succeeded(self) -> BreakerState | None:
        """A Redis call answered."""
        self.failures = 0
        if self.state is BreakerState.CLOSED:
            return None
        self.state = BreakerState.CLOSED
        return BreakerState.CLOSED

    def failed(self, now: float) -> BreakerState | None:
        """A Redis call failed."""
        self.failures += 1
        if self.state is BreakerState.HALF_OPEN or (
            self.state is BreakerState.CLOSED and self.failures >= self.limit
        ):
            self.state = BreakerState.OPEN
            self.opened_at = now
            return BreakerState.OPEN
        if self.state is BreakerState.OPEN:
            self.opened_at = now
        return None


# --- the read-through flow ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Call:
    """Run a Redis command or one of SCRIPTS: ``script`` names it; keys and args as Redis
    takes them. ``set_nx``: ``SET keys[0] args[0] NX PX args[1]`` (the fill lock)."""

    script: str
    keys: tuple[str, ...]
    args: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Load:
    """Run the fill (the repository's database read) and send back its value."""


@dataclass(frozen=True, slots=True)
class Sleep:
    """Pause this caller for ``seconds``."""

    seconds: float


@dataclass(frozen=True, slots=True)
class Share:
    """Single flight: join the fill another caller of this process runs for the same entry
    under the same tokens (the driver then returns its value and drops this flow), or, with
    none running, carry on as the one others join (the driver sends back None)."""

    flight: tuple[str, ...]


Step = Call | Load | Sleep | Share
Flow = Generator[Step, Any, Any]


@dataclass(frozen=True, slots=True)
class Tuning:
    """The settings the flow follows (Settings.cache_*), in seconds."""

    lock_s: float
    lock_wait_s: float
    poll_s: float = 0.01


class Codec:
    """JSON of a cached read's return type, through pydantic."""

    def __init__(self, returns: Any) -> None:
        from pydantic import TypeAdapter

        self._adapter: Any = TypeAdapter(returns)

    def dump(self, value: Any) -> bytes:
        """The JSON of ``value``."""
        dumped: bytes = self._adapter.dump_json(value)
        return dumped

    def load(self, payload: bytes) -> Any:
        """The value of ``payload``; ValueError (pydantic's) when it is not one."""
        return self._adapter.validate_json(payload)


Count = Callable[[str], None]
"""The flow's metrics: count(event) with event hit, miss, stale, fill, fill_lost,
lock_wait, lock_timeout, error (an unreadable entry)."""


def read_flow(
    cache: str,
    spec: CachedRead,
    codec: Codec,
    keys: Keys,
    key: Mapping[str, Any],
    tuning: Tuning,
    clock_ms: Callable[[], int],
    count: Count,
    rng: random.Random,
) -> Flow:
    """Read through: serve a fresh entry; serve a stale one unless this caller wins the
    refresh lock (then it refreshes); on a miss, fill under the lock or wait up to
    ``lock_wait_s`` for the lock holder's fill, then read the database itself. Any Redis
    failure (CacheDown thrown in by the driver) ends in the database read."""
    entry_key = keys.entry(cache, [key[name] for name in spec.key])
    tags = keys.tags_of(spec, key)
    read = Call("read", (entry_key, *tags), (*(token() for _ in tags), TAG_TTL_MS))
    try:
        reply = yield read
    except CacheDown:
        return (yield Load())
    found, tokens = reply[0], tuple(reply[1:])
    verdict, entry = _judged(found, tokens, clock_ms(), spec, count)
    if verdict is Freshness.FRESH:
        value = _decoded(codec, entry, count)
        if value is not _UNREADABLE:
            count("hit")
            return value
    if verdict is not Freshness.STALE:
        # Only a fill that read the same tokens may be shared: one begun before a write's
        # bump would hand back the old state to a caller that came after the write.
        yield Share((entry_key, *tokens))
    lock_key = keys.lock(entry_key)
    owner = token()
    try:
        won = yield Call("set_nx", (lock_key,), (owner, int(tuning.lock_s * 1000)))
    except CacheDown:
        return (yield Load())
    if verdict is Freshness.STALE and not won:
        value = _decoded(codec, entry, count)
        if value is not _UNREADABLE:
            count("stale")
            return value
    if won and verdict is not Freshness.STALE:
        # Another process may have filled and released the lock since our read: look again
        # before reading the database (the lock is ours, so no fill can start meanwhile).
        try:
            reply = yield read
        except CacheDown:
            return (yield Load())
        tokens = tuple(reply[1:])
        again, entry = _judged(reply[0], tokens, clock_ms(), spec, count)
        if again is not Freshness.MISS:
            value = _decoded(codec, entry, count)
            if value is not _UNREADABLE:
                count("hit")
                yield from _unlock(lock_key, owner)
                return value
    if won:
        count("miss" if verdict is not Freshness.STALE else "refresh")
        return (yield from _fill(entry_key, tags, tokens, spec, codec, lock_key, owner,
                                 clock_ms, count))  # fmt: skip
    count("lock_wait")
    waited = 0.0
    while waited < tuning.lock_wait_s:
        pause = tuning.poll_s * (0.5 + rng.random())
        waited += pause
        yield Sleep(pause)
        try:
            reply = yield read
        except CacheDown:
            break
        tokens = tuple(reply[1:])
        verdict, entry = _judged(reply[0], tokens, clock_ms(), spec, count)
        if verdict is not Freshness.MISS:
            value = _decoded(codec, entry, count)
            if value is not _UNREADABLE:
                count("hit")
                return value
    count("lock_timeout")
    return (yield Load())


_UNREADABLE = object()


def _judged(
    raw: bytes | None, tokens: Sequence[str], now_ms: int, spec: CachedRead, count: Count
) -> tuple[Freshness, Entry | None]:
    try:
        return judge(raw, tokens, now_ms, spec)
    except ValueError:
        count("error")
        return Freshness.MISS, None


def _decoded(codec: Codec, entry: Entry | None, count: Count) -> Any:
    assert entry is not None
    try:
        return codec.load(entry.payload)
    except ValueError:
        count("error")
        return _UNREADABLE


def _fill(
    entry_key: str,
    tags: Sequence[str],
    tokens: tuple[str, ...],
    spec: CachedRead,
    codec: Codec,
    lock_key: str,
    owner: str,
    clock_ms: Callable[[], int],
    count: Count,
) -> Flow:
    """Read the database, store the entry under the tokens read before (compare-and-set),
    release the lock. A database error propagates (the lock expires on its own)."""
    filled_at = clock_ms()
    value = yield Load()
    entry = Entry(filled_at, tokens, codec.dump(value))
    try:
        stored = yield Call(
            "fill", (entry_key, *tags), (entry.encode(), int(spec.hard_ttl_s * 1000), *tokens)
        )
        count("fill" if stored else "fill_lost")
    except CacheDown:
        return value
    yield from _unlock(lock_key, owner)
    return value


def _unlock(lock_key: str, owner: str) -> Flow:
    """Release the fill lock (when it is still ours); a Redis failure leaves it to expire."""
    with contextlib.suppress(CacheDown):
        yield Call("unlock", (lock_key,), (owner,))


# --- invalidation -------------------------------------------------------------------------


Tags = set[tuple[str, Any]]


def bumped_tags(bumps: Iterable[Bump], params: Mapping[str, Any], result: Any) -> tuple[Tags, Tags]:
    """What a write's bumps name: (scope, value) tags (value None: the scope's one tag) and
    (scope, variant id) pairs whose products' tags must be bumped (``via == "variant"``)."""
    tags: Tags = set()
    variants: Tags = set()
    for bump in bumps:
        if bump.field is None:
            tags.add((bump.scope, None))
            continue
        for value in _values(bump.field, params, result):
            if bump.via == "variant":
                variants.add((bump.scope, value))
            else:
                tags.add((bump.scope, value))
    return tags, variants


def _values(name: str, params: Mapping[str, Any], result: Any) -> list[Any]:
    if name in params:
        value = params[name]
        return list(value) if isinstance(value, list | tuple) else [value]
    rows = result if isinstance(result, list) else [result]
    return [row[name] for row in rows if isinstance(row, Mapping) and row.get(name) is not None]
