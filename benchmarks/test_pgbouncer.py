"""What a transaction-mode PgBouncer costs (issue 19, point 2): users.get and a 5-line
checkout, direct to PostgreSQL and through Debian's PgBouncer 1.18 in front of the same
server, alternated call by call (paired.py) in one run.

Through the pooler the Database runs as DATABASE_POOLER=pgbouncer-transaction says: no
prepared statements (prepare_threshold=None), so each lookup is also parsed and planned
again; the direct path keeps them. A second users.get pair, direct without prepared
statements against the pooler, leaves the pooler's own hop alone. docs/performance.md has the
figures.

    .venv/bin/python -m pytest benchmarks/test_pgbouncer.py --benchmark-only -p no:cacheprovider -s
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from decimal import Decimal
from statistics import median
from typing import Any
from uuid import UUID

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from benchmarks import commerce_shop as shop
from benchmarks.conftest import Sample
from benchmarks.paired import OTHER_ROUNDS, Path, measure
from shopdb import Database, Settings
from shopdb.models import NewProduct, NewVariant, ProductStatus
from shopdb.testing import Server
from shopdb.testing.pgbouncer import pgbouncer, pgbouncer_binary, through

READ_ROUNDS = 3_000
CHECKOUT_ROUNDS = 200
DIRECT, POOLED = "direct", "pgbouncer"

pytestmark = pytest.mark.skipif(pgbouncer_binary() is None, reason="make pgbouncer")


@pytest.fixture(scope="module")
def pooled_db(bench_server: Server, bench_url: str) -> Iterator[Database]:
    """A Database on the benchmark database through a transaction-mode PgBouncer."""
    with pgbouncer(bench_server.host, bench_server.port) as port:
        settings = Settings(
            database_url=through(bench_url, port),
            database_direct_url=bench_url,
            database_pooler="pgbouncer-transaction",
            database_application_name="shopdb-bench-pgbouncer",
            cursor_secret="bench-cursor-secret-0123456789abcdef",
        )
        with Database(settings) as database:
            yield database


@pytest.fixture(scope="module")
def unprepared_db(bench_url: str) -> Iterator[Database]:
    """A direct Database that prepares nothing, as the pooled one."""
    settings = Settings(
        database_url=bench_url,
        database_prepare_threshold=None,
        database_application_name="shopdb-bench-unprepared",
        cursor_secret="bench-cursor-secret-0123456789abcdef",
    )
    with Database(settings) as database:
        yield database


def _ratio(benchmark: BenchmarkFixture, measured: str) -> None:
    stats: Any = benchmark.stats
    data: list[float] = stats.stats.data
    mine = median(data)
    other = median(OTHER_ROUNDS[benchmark.fullname])
    pooled, direct = (mine, other) if measured == POOLED else (other, mine)
    benchmark.extra_info.update(
        pgbouncer_median_us=round(pooled * 1e6, 1),
        direct_median_us=round(direct * 1e6, 1),
        pgbouncer_over_direct=round(pooled / direct, 3),
    )
    print(  # the figure docs/performance.md quotes
        f"\n{benchmark.group}: direct {direct * 1e6:.0f} us, pgbouncer {pooled * 1e6:.0f} us "
        f"(x{pooled / direct:.2f}), medians of {len(data)} paired calls"
    )


@pytest.mark.benchmark(group="pgbouncer users.get")
@pytest.mark.parametrize("path", [POOLED, DIRECT])
def test_users_get(
    benchmark: BenchmarkFixture, db: Database, pooled_db: Database, sample: Sample, path: str
) -> None:
    ids = itertools.cycle(sample.ids)
    paths = {
        DIRECT: Path(DIRECT, db.users.get, ids.__next__),
        POOLED: Path(POOLED, pooled_db.users.get, ids.__next__),
    }
    other = DIRECT if path == POOLED else POOLED
    measure(benchmark, paths[path], paths[other], rounds=READ_ROUNDS)
    _ratio(benchmark, path)


@pytest.mark.benchmark(group="pgbouncer users.get, neither prepared")
@pytest.mark.parametrize("path", [POOLED, DIRECT])
def test_users_get_unprepared(
    benchmark: BenchmarkFixture,
    unprepared_db: Database,
    pooled_db: Database,
    sample: Sample,
    path: str,
) -> None:
    ids = itertools.cycle(sample.ids)
    paths = {
        DIRECT: Path(DIRECT, unprepared_db.users.get, ids.__next__),
        POOLED: Path(POOLED, pooled_db.users.get, ids.__next__),
    }
    other = DIRECT if path == POOLED else POOLED
    measure(benchmark, paths[path], paths[other], rounds=READ_ROUNDS)
    _ratio(benchmark, path)


@pytest.fixture(scope="module")
def shoppers(db: Database) -> tuple[list[shop.Buyer], list[UUID]]:
    """Buyers with an address, and 20 variants with stock enough for every checkout."""
    buyers = shop.make_buyers(db, 40)
    variants = []
    for n in range(20):
        product = db.products.create_with_variants(
            NewProduct(
                title=f"Pooled {n}", slug=f"pooled-bench-{n}-{random.getrandbits(32):x}",
                status=ProductStatus.ACTIVE, price=Decimal("10.00"),
                variants=[NewVariant(title="One", sku=f"POOLED-{n}-{random.getrandbits(32):x}",
                                     price=Decimal("10.00"), is_primary=True,
                                     quantity_on_hand=1_000_000)],
            )
        )  # fmt: skip
        variants.append(product.variants[0].id)
    return buyers, variants


@pytest.mark.benchmark(group="pgbouncer checkout")
@pytest.mark.parametrize("path", [POOLED, DIRECT])
def test_checkout(
    benchmark: BenchmarkFixture,
    db: Database,
    pooled_db: Database,
    shoppers: tuple[list[shop.Buyer], list[UUID]],
    path: str,
) -> None:
    buyers, variants = shoppers
    turn = itertools.cycle(buyers)
    rng = random.Random(19)

    def cart() -> tuple[UUID, Any]:
        buyer = next(turn)
        return shop.fill_cart(db, buyer, rng.sample(variants, shop.LINES)), buyer.checkout()

    def place_on(database: Database) -> Any:
        return lambda made: database.orders.place_from_cart(*made)

    paths = {
        DIRECT: Path(DIRECT, place_on(db), cart),
        POOLED: Path(POOLED, place_on(pooled_db), cart),
    }
    other = DIRECT if path == POOLED else POOLED
    measure(benchmark, paths[path], paths[other], rounds=CHECKOUT_ROUNDS)
    _ratio(benchmark, path)
