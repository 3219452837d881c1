"""Two versions of shopdb side by side on one database: the code of an older commit (its src
directory in SHOPDB_BASELINE_SRC, e.g. a worktree's) and this checkout's (issue 17: kit v2
"no slower"). Skipped unless SHOPDB_BASELINE_SRC is set, so `make test` and `make bench`
never run it:

    git worktree add /tmp/oldmain d75cc51
    SHOPDB_BASELINE_SRC=/tmp/oldmain/src .venv/bin/python -m pytest \\
        benchmarks/test_revisions.py -s -p no:cacheprovider

Each version runs in a long-lived process of its own (benchmarks/revision_worker.py with its
src first on PYTHONPATH; the test checks where each imported shopdb from), with default
settings, against the same databases and rows: the session's benchmark database (migrated by
this checkout, SEED_USERS users, conftest.py) and the commerce data set
(benchmarks/commerce_data.py, SHOPDB_BENCH_COMMERCE_USERS / _ORDERS, 100,000 / 500,000 by
default here). This VM's speed drifts within seconds, so the two processes take turns round
by round, the order alternating, and the figure is the median of the per-round ratios
after/before; each version's median is shown beside it.

1. ``users.get``: LOOKUP_ROUNDS rounds of LOOKUP_CALLS calls per version (the 1,000 sampled
   ids of test_speed.py in turn), after two untimed blocks each.
2. ``orders.place_from_cart`` of a 5-line cart as test_commerce.py makes it (random catalog
   variants, tax 18%, a fresh cart per call filled untimed by this process through this
   checkout's shopdb): CHECKOUT_ROUNDS rounds of CHECKOUTS_PER_ROUND checkouts per version.
   Then the round trips of one checkout of each version, counted on the wire by a proxy of
   this process (benchmarks/wire_count.py) and by name with ``capture_queries``, and
   where a checkout's time goes: PROFILE_ROUNDS more alternating rounds, each checkout under
   ``capture_queries``, the median seconds of each named query per version.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from statistics import median, quantiles
from typing import Any

import pytest

from benchmarks import commerce_data as data
from benchmarks import commerce_rows as rows
from benchmarks import commerce_shop as shop
from benchmarks.conftest import SEED_USERS, Sample
from benchmarks.databases import bench_database
from benchmarks.wire_count import WireCounter
from shopdb import Database
from shopdb.testing import Server

BASELINE = os.environ.get("SHOPDB_BASELINE_SRC", "")
HERE = Path(__file__).resolve().parent
CURRENT = HERE.parent / "src"
WORKER = HERE / "revision_worker.py"
ORDERS = int(os.environ.get("SHOPDB_BENCH_COMMERCE_ORDERS", "500000"))
SIZE = rows.Size(
    users=int(os.environ.get("SHOPDB_BENCH_COMMERCE_USERS", "100000")),
    orders=ORDERS,
    items=int(os.environ.get("SHOPDB_BENCH_COMMERCE_ITEMS", str(3 * ORDERS))),
)
LOOKUP_ROUNDS = 30
LOOKUP_CALLS = 2_000
CHECKOUT_ROUNDS = 40
CHECKOUTS_PER_ROUND = 5
PROFILE_ROUNDS = 10
NO_SLOWER = 1.03
VERSIONS = ("before", "after")

pytestmark = [
    pytest.mark.skipif(not BASELINE, reason="SHOPDB_BASELINE_SRC (an older src/) is not set"),
    pytest.mark.timeout(3600),
]


def loadavg() -> str:
    """The 1, 5 and 15 minute load averages and the running/total tasks."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:4])


class Worker:
    """One shopdb version in a process of its own, driven one JSON line at a time."""

    def __init__(self, name: str, src: Path) -> None:
        self.name, self.src = name, src.resolve()
        env = {**os.environ, "PYTHONPATH": str(self.src)}
        self.process = subprocess.Popen(
            [sys.executable, str(WORKER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            text=True,
            cwd="/",
        )

    def ask(self, do: str, **fields: Any) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps({"do": do, **fields}) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, f"the {self.name} worker ended (exit {self.process.poll()})"
        answer: dict[str, Any] = json.loads(line)
        return answer

    def close(self) -> None:
        with contextlib.suppress(AssertionError, BrokenPipeError, json.JSONDecodeError):
            self.ask("quit")
        self.process.wait(timeout=30)


@dataclass(frozen=True, slots=True)
class Paired:
    """Per-round seconds of both versions, and the per-round ratios after/before."""

    before: list[float]
    after: list[float]

    @property
    def ratios(self) -> list[float]:
        return [a / b for a, b in zip(self.after, self.before, strict=True)]

    @property
    def ratio(self) -> float:
        return median(self.ratios)

    def spread(self) -> str:
        q1, _, q3 = quantiles(self.ratios, n=4)
        return f"quartiles {q1:.3f}-{q3:.3f}, {min(self.ratios):.3f}-{max(self.ratios):.3f}"

    def verdict(self) -> str:
        return "no slower" if self.ratio <= NO_SLOWER else "SLOWER"


@pytest.fixture(scope="module")
def commerce_url(bench_server: Server) -> str:
    url, timings = data.ensure(SIZE, bench_server.url("postgres"))
    print(f"\ncommerce data set {SIZE}: {str(timings) if timings else 'reused'}")
    return url


@pytest.fixture(scope="module")
def cdb(commerce_url: str) -> Iterator[Database]:
    with bench_database(commerce_url, "shopdb-bench-revisions") as database:
        yield database


@pytest.fixture(scope="module")
def workers(bench_url: str, commerce_url: str) -> Iterator[dict[str, Worker]]:
    made = {"before": Worker("before", Path(BASELINE)), "after": Worker("after", CURRENT)}
    try:
        for worker in made.values():
            found = Path(worker.ask("open", users_url=bench_url, commerce_url=commerce_url)[
                "shopdb"
            ]).resolve()  # fmt: skip
            print(f"\n{worker.name}: shopdb from {found}")
            assert found.is_relative_to(worker.src), (worker.name, found, worker.src)
        yield made
    finally:
        for worker in made.values():
            worker.close()


def _in_turns(rounds: int) -> Iterator[tuple[str, str]]:
    """Round by round, which version goes first: before, after; after, before; ..."""
    for n in range(rounds):
        yield ("before", "after") if n % 2 == 0 else ("after", "before")


def test_users_get_before_and_after(workers: dict[str, Worker], sample: Sample) -> None:
    ids = [str(i) for i in sample.ids]
    for _ in range(2):  # past the prepare threshold on every pooled connection, caches warm
        for worker in workers.values():
            assert worker.ask("lookups", ids=ids, calls=LOOKUP_CALLS)["found"] == LOOKUP_CALLS
    load_before = loadavg()
    seconds: dict[str, list[float]] = {name: [] for name in VERSIONS}
    for order in _in_turns(LOOKUP_ROUNDS):
        for name in order:
            answer = workers[name].ask("lookups", ids=ids, calls=LOOKUP_CALLS)
            assert answer["found"] == LOOKUP_CALLS
            seconds[name].append(answer["seconds"] / LOOKUP_CALLS)
    paired = Paired(seconds["before"], seconds["after"])
    print(
        f"\nusers.get ({SEED_USERS:,} users, {LOOKUP_ROUNDS} rounds x {LOOKUP_CALLS} calls per "
        f"version): before {median(paired.before) * 1e6:.1f} us/call, after "
        f"{median(paired.after) * 1e6:.1f} us/call; after/before {paired.ratio:.3f}x "
        f"({paired.spread()}): {paired.verdict()}\n"
        f"load average {load_before} at the start, {loadavg()} at the end"
    )


def _fill(cdb: Database, buyers: list[shop.Buyer], rng: random.Random) -> list[dict[str, Any]]:
    return [
        {
            "cart_id": str(shop.fill_cart(cdb, buyer, shop.catalog_lines(rng, SIZE))),
            "checkout": buyer.checkout().model_dump(mode="json"),
        }
        for buyer in buyers
    ]


def test_place_from_cart_before_and_after(
    workers: dict[str, Worker], cdb: Database, commerce_url: str, bench_server: Server
) -> None:
    rng = random.Random(17)
    buyers = shop.make_buyers(cdb, 2 * CHECKOUTS_PER_ROUND)
    group = dict(zip(VERSIONS, (buyers[::2], buyers[1::2]), strict=True))
    load_before = loadavg()
    weather_before = shop.weather(commerce_url)
    per_round: dict[str, list[float]] = {name: [] for name in VERSIONS}
    calls: dict[str, list[float]] = {name: [] for name in VERSIONS}
    for n, order in enumerate(_in_turns(CHECKOUT_ROUNDS + 4)):
        carts = {name: _fill(cdb, group[name], rng) for name in VERSIONS}
        for name in order:
            answer = workers[name].ask("checkouts", carts=carts[name])
            assert answer["lines"] == [shop.LINES] * CHECKOUTS_PER_ROUND
            if n >= 4:  # the first 4 rounds warm both up
                per_round[name].append(median(answer["seconds"]))
                calls[name].extend(answer["seconds"])
    paired = Paired(per_round["before"], per_round["after"])
    load_after, weather_after = loadavg(), shop.weather(commerce_url)
    profiles = _profile(workers, cdb, group, rng)

    proxy = WireCounter(bench_server.host, bench_server.port)
    trips: dict[str, str] = {}
    try:
        dbname = commerce_url.rsplit("/", 1)[1]
        for name in VERSIONS:
            worker = workers[name]
            worker.ask("count_open", url=proxy.url(dbname, bench_server.user))
            counted = _fill(cdb, group[name], rng)
            proxy.reset()
            queries = worker.ask("count", carts=counted)["queries"]
            types, simple = proxy.counts()
            worker.ask("count_close")
            trips[name] = _round_trips(types, simple, queries)
    finally:
        proxy.close()
    print(
        f"\nplace_from_cart, 5 lines (data set {SIZE.users:,} users, {SIZE.orders:,} orders, "
        f"{SIZE.items:,} items; {CHECKOUT_ROUNDS} rounds x {CHECKOUTS_PER_ROUND} checkouts per "
        f"version, per-round medians): before {median(calls['before']) * 1e3:.2f} ms, after "
        f"{median(calls['after']) * 1e3:.2f} ms (medians of all calls); after/before "
        f"{paired.ratio:.3f}x ({paired.spread()}): {paired.verdict()}\n"
        f"load average {load_before} at the start, {load_after} at the end; server weather "
        f"{weather_before} at the start, {weather_after} at the end"
    )
    for name in VERSIONS:
        print(f"round trips of one checkout, {name}: {trips[name]}")
    print(profiles)


def _profile(
    workers: dict[str, Worker],
    cdb: Database,
    group: dict[str, list[shop.Buyer]],
    rng: random.Random,
) -> str:
    """Where a checkout's time goes, by named query (capture_queries: the statement's round
    trip and its rows' decoding), PROFILE_ROUNDS alternating rounds of CHECKOUTS_PER_ROUND
    checkouts per version: the median seconds of each query, before and after."""
    seconds: dict[str, dict[str, list[float]]] = {name: {} for name in VERSIONS}
    for order in _in_turns(PROFILE_ROUNDS):
        carts = {name: _fill(cdb, group[name], rng) for name in VERSIONS}
        for name in order:
            for checkout in workers[name].ask("profile", carts=carts[name])["queries"]:
                for query, took in checkout:
                    seconds[name].setdefault(query, []).append(took)
    queries = list(dict.fromkeys([*seconds["before"], *seconds["after"]]))
    lines = [
        f"named queries of a checkout, median ms over {PROFILE_ROUNDS} rounds x "
        f"{CHECKOUTS_PER_ROUND} checkouts per version (before / after):"
    ]
    totals = dict.fromkeys(VERSIONS, 0.0)
    for query in queries:
        cells = []
        for name in VERSIONS:
            took = seconds[name].get(query)
            cells.append(f"{median(took) * 1e3:.3f}" if took else "-")
            totals[name] += median(took) if took else 0.0
        lines.append(f"  {query}: {cells[0]} / {cells[1]}")
    lines.append(f"  sum: {totals['before'] * 1e3:.3f} / {totals['after'] * 1e3:.3f}")
    return "\n".join(lines)


def _round_trips(types: Counter[str], simple: Counter[str], queries: list[list[str]]) -> str:
    """One checkout's round trips (Sync + simple Query), statements and named queries; every
    counted checkout must have run the same named queries."""
    assert all(q == queries[0] for q in queries), queries
    checkouts = len(queries)
    per = {kind: count / checkouts for kind, count in types.items()}
    trips = per.get("S", 0) + per.get("Q", 0)
    statements = per.get("E", 0) + per.get("Q", 0)
    words = ", ".join(f"{w} {c / checkouts:g}" for w, c in sorted(simple.items()))
    named = Counter(queries[0])
    names = ", ".join(f"{q}" + (f" x{c}" if c > 1 else "") for q, c in named.items())
    return (
        f"{trips:g} round trips ({per.get('S', 0):g} Sync + {per.get('Q', 0):g} simple Query: "
        f"{words}), {statements:g} statements; {len(queries[0])} named queries: {names}"
    )
