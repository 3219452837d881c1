"""The read-through path against a private redis-server: hits, versioned fills, soft and hard
TTL, the reads cached (product details by id and slug, the category tree, first pages, the
rating summary), and what stays uncached (transactions, later pages)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
import redis

from shopdb import Database, Settings
from shopdb.cache.core import Entry
from shopdb.errors import NotFoundError
from shopdb.models import Actor, NewReview
from shopdb.testing.redis_server import RedisServer
from tests.cache.conftest import cache_settings
from tests.support.catalog import category, collection, new_product
from tests.support.factories import new_user


def queries(db: Database, call: Any) -> tuple[Any, list[str]]:
    """What ``call()`` returns and the names of the queries it ran."""
    with db.capture_queries() as records:
        value = call()
    return value, [r.name for r in records]


def stored(client: redis.Redis, key: Any) -> Entry:
    """The entry at ``key``."""
    raw = client.get(key)
    assert isinstance(raw, bytes)
    return Entry.decode(raw)


def product(db: Database, **overrides: Any) -> UUID:
    return db.products.create_with_variants(new_product(**overrides)).product.id


def test_without_redis_url_there_is_no_cache_and_every_read_runs_its_queries(
    db: Database,
) -> None:
    pid = product(db)
    assert db.cache is None
    _, first = queries(db, lambda: db.products.get_with_details(pid))
    _, second = queries(db, lambda: db.products.get_with_details(pid))
    assert first == second == [
        "products.get", "products.variants_for", "products.categories_for", "products.media_for"
    ]  # fmt: skip


def test_a_second_read_is_served_from_redis_with_the_same_value(cached_db: Database) -> None:
    pid = product(cached_db)
    cold, ran = queries(cached_db, lambda: cached_db.products.get_with_details(pid))
    warm, ran_again = queries(cached_db, lambda: cached_db.products.get_with_details(pid))
    assert len(ran) == 4
    assert ran_again == []
    assert warm == cold
    assert warm.product.price == Decimal("10.00")


def test_each_catalog_read_is_cached(cached_db: Database) -> None:
    db = cached_db
    pid = product(db)
    slug = db.products.get(pid).slug
    with db.transaction() as tx:
        cat = category(tx)
        tx.connection.execute(
            "INSERT INTO product_categories (product_id, category_id) VALUES (%s, %s)", [pid, cat]
        )
        coll = collection(tx, [pid])
    user = db.users.create(new_user())
    review = db.reviews.submit(user.id, pid, NewReview(rating=4, title="Good", content="Fine."))
    db.reviews.approve(review.id, actor=Actor.system())
    reads = {
        "details by slug": lambda: db.products.get_with_details_by_slug(slug),
        "tree": db.categories.tree,
        "category page": lambda: db.categories.products_in(cat),
        "collection page": lambda: db.collections.list_products(coll),
        "rating": lambda: db.reviews.rating_summary(pid),
    }
    for name, read in reads.items():
        cold, ran = queries(db, read)
        warm, ran_again = queries(db, read)
        assert ran, name
        assert ran_again == [], name
        assert warm == cold, name
    assert db.reviews.rating_summary(pid).count == 1
    assert [p.id for p in db.categories.products_in(cat).items] == [pid]


def test_a_missing_product_is_not_cached_and_raises_each_time(cached_db: Database) -> None:
    missing = UUID(int=7)
    for _ in range(2):
        with pytest.raises(NotFoundError):
            cached_db.products.get_with_details(missing)


def test_inside_a_transaction_reads_go_to_the_database(cached_db: Database) -> None:
    pid = product(cached_db)
    cached_db.products.get_with_details(pid)
    with cached_db.transaction() as tx:
        _, ran = queries(cached_db, lambda: tx.products.get_with_details(pid))
    assert len(ran) == 4


def test_a_later_page_is_not_cached(cached_db: Database) -> None:
    db = cached_db
    ids = [product(db) for _ in range(3)]
    with db.transaction() as tx:
        coll = collection(tx, ids)
    first = db.collections.list_products(coll, limit=2)
    assert first.next_cursor is not None
    for _ in range(2):
        _, ran = queries(db, lambda: db.collections.list_products(coll, cursor=first.next_cursor))
        assert ran == ["collections.list_products"]


def test_a_slow_fill_of_an_old_version_never_overwrites_a_newer_one(
    cached_db: Database, raw_redis: redis.Redis
) -> None:
    """A reader reads the old price, a writer commits a new one and returns, then the reader
    stores what it read: the compare-and-set refuses, and the next read sees the new price."""
    db = cached_db
    pid = product(db)
    read_done, write_done = threading.Event(), threading.Event()
    spec = type(db.products).cached_reads["details"]
    fill = db.products._details

    def slow_fill() -> Any:
        value = fill(product_id=pid)
        read_done.set()
        write_done.wait(5)
        return value

    seen: list[Any] = []
    reader = threading.Thread(
        target=lambda: seen.append(
            db.cache.read("products.details", spec, {"product_id": pid}, slow_fill)
        )
    )
    reader.start()
    assert read_done.wait(5)
    version = db.products.get(pid).version
    db.products.change_price(pid, Decimal("99.00"), expected_version=version, actor=Actor.system())
    write_done.set()
    reader.join(5)
    assert seen[0].product.price == Decimal("10.00")  # what it read, before the write
    assert db.products.get_with_details(pid).product.price == Decimal("99.00")


def test_past_the_soft_ttl_the_entry_is_served_while_exactly_one_caller_refreshes(
    cached_db: Database, raw_redis: redis.Redis
) -> None:
    db = cached_db
    pid = product(db)
    db.products.get_with_details(pid)
    (key,) = raw_redis.keys("shopdb:c:products.details:*")
    entry = stored(raw_redis, key)
    aged = Entry(entry.filled_ms - 61_000, entry.tokens, entry.payload)  # past 60 s soft TTL
    raw_redis.set(key, aged.encode(), px=100_000)
    spec = type(db.products).cached_reads["details"]
    refreshes: list[int] = []
    served: list[Decimal] = []
    release = threading.Event()  # the refresh is held until the others were served
    others = [Database(db.settings).open() for _ in range(4)]  # four caches: no single flight
    start = threading.Barrier(len(others))

    def through(other: Database) -> None:
        def fill() -> Any:
            refreshes.append(1)
            release.wait(10)
            return other.products._details(product_id=pid)

        start.wait()
        value = other.cache.read("products.details", spec, {"product_id": pid}, fill)
        served.append(value.product.price)

    threads = [threading.Thread(target=through, args=(o,)) for o in others]
    try:
        for t in threads:
            t.start()
        deadline = time.monotonic() + 10
        while len(served) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        stale_served = len(served)  # while the refresh is still held
        release.set()
        for t in threads:
            t.join(10)
    finally:
        release.set()
        for other in others:
            other.close()
    assert stale_served == 3  # three got the stale entry without waiting for the refresh
    assert len(refreshes) == 1  # exactly one refreshed
    assert served == [Decimal("10.00")] * 4
    fresh = stored(raw_redis, key)
    assert fresh.filled_ms > aged.filled_ms


def test_past_the_hard_ttl_the_entry_is_gone(
    settings: Settings, redis_srv: RedisServer, raw_redis: redis.Redis
) -> None:
    with Database(cache_settings(settings, redis_srv)) as db:
        pid = product(db)
        db.products.get_with_details(pid)
        (key,) = raw_redis.keys("shopdb:c:products.details:*")
        ttl = raw_redis.pttl(key)
        assert 590_000 < ttl <= 600_000  # the read's hard TTL, 600 s
        raw_redis.pexpire(key, 1)
        time.sleep(0.01)
        _, ran = queries(db, lambda: db.products.get_with_details(pid))
        assert len(ran) == 4


def test_without_redis_url_redis_py_is_never_imported(settings: Settings) -> None:
    code = (
        "import sys\n"
        "from shopdb import Database, Settings\n"
        f"db = Database(Settings(database_url={settings.database_url.get_secret_value()!r}))\n"
        "db.open(); db.close()\n"
        "print(sorted(m for m in sys.modules if m == 'redis' or m.startswith('redis.')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
