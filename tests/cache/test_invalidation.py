"""Invalidation after COMMIT: a write inside a transaction reaches the cache only once it has
committed, a rollback reaches nothing, and each kind of catalog write reaches the cached
reads it changes. Several Databases stand for several processes sharing one Redis."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from uuid import UUID

import pytest
import redis

from shopdb import Database
from shopdb.models import Actor, NewReview
from tests.support.catalog import category, new_product
from tests.support.factories import new_user


@pytest.fixture
def other(cached_db: Database) -> Iterator[Database]:
    """A second Database on the same database and Redis: another process of the shop."""
    with Database(cached_db.settings) as database:
        yield database


def product(db: Database) -> UUID:
    return db.products.create_with_variants(new_product()).product.id


def reprice(db: Database, pid: UUID, price: str) -> None:
    version = db.products.get(pid).version
    db.products.change_price(pid, Decimal(price), expected_version=version, actor=Actor.system())


def tag_tokens(client: redis.Redis) -> dict[bytes, bytes]:
    return {key: client.get(key) or b"" for key in client.keys("shopdb:t:*")}  # type: ignore[misc]


def test_a_write_in_a_transaction_reaches_the_cache_only_after_commit(
    cached_db: Database, other: Database
) -> None:
    pid = product(cached_db)
    assert other.products.get_with_details(pid).product.price == Decimal("10.00")
    with cached_db.transaction() as tx:
        version = tx.products.get(pid).version
        tx.products.change_price(
            pid, Decimal("12.00"), expected_version=version, actor=Actor.system()
        )
        # not committed yet: the other process still sees the committed price, from Redis
        assert other.products.get_with_details(pid).product.price == Decimal("10.00")
    assert other.products.get_with_details(pid).product.price == Decimal("12.00")


def test_a_rolled_back_write_invalidates_nothing(
    cached_db: Database, other: Database, raw_redis: redis.Redis
) -> None:
    pid = product(cached_db)
    other.products.get_with_details(pid)
    before = tag_tokens(raw_redis)

    class Undo(Exception):
        pass

    with pytest.raises(Undo), cached_db.transaction() as tx:
        version = tx.products.get(pid).version
        tx.products.change_price(
            pid, Decimal("12.00"), expected_version=version, actor=Actor.system()
        )
        raise Undo
    assert tag_tokens(raw_redis) == before
    with other.capture_queries() as ran:
        assert other.products.get_with_details(pid).product.price == Decimal("10.00")
    assert ran == []  # still served from Redis


def test_a_price_change_reaches_details_by_id_and_slug_and_first_pages(
    cached_db: Database, other: Database
) -> None:
    pid = product(cached_db)
    slug = cached_db.products.get(pid).slug
    with cached_db.transaction() as tx:
        cat = category(tx)
        tx.connection.execute(
            "INSERT INTO product_categories (product_id, category_id) VALUES (%s, %s)", [pid, cat]
        )
    reads: tuple[Callable[[], Decimal], ...] = (
        lambda: other.products.get_with_details(pid).product.price,
        lambda: other.products.get_with_details_by_slug(slug).product.price,
        lambda: other.categories.products_in(cat).items[0].price,
    )
    assert [read() for read in reads] == [Decimal("10.00")] * 3
    reprice(cached_db, pid, "15.50")
    assert [read() for read in reads] == [Decimal("15.50")] * 3


def test_a_stock_change_that_makes_a_variant_unavailable_reaches_the_details(
    cached_db: Database, other: Database
) -> None:
    pid = product(cached_db)
    (variant,) = other.products.get_with_details(pid).variants
    assert variant.quantity_available == 10
    cached_db.inventory.reserve(variant.id, 10)
    assert other.products.get_with_details(pid).variants[0].quantity_available == 0
    cached_db.inventory.restock(variant.id, 3)
    assert other.products.get_with_details(pid).variants[0].quantity_available == 3


def test_a_review_approval_reaches_the_rating_summary(cached_db: Database, other: Database) -> None:
    pid = product(cached_db)
    user = cached_db.users.create(new_user())
    review = cached_db.reviews.submit(
        user.id, pid, NewReview(rating=5, title="Great", content="Yes.")
    )
    assert other.reviews.rating_summary(pid).count == 0
    cached_db.reviews.approve(review.id)
    summary = other.reviews.rating_summary(pid)
    assert (summary.count, summary.five_stars) == (1, 1)


def test_a_category_move_reaches_the_tree_and_the_details(
    cached_db: Database, other: Database
) -> None:
    pid = product(cached_db)
    with cached_db.transaction() as tx:
        root, leaf, new_root = category(tx), category(tx), category(tx)
        tx.connection.execute(
            "INSERT INTO product_categories (product_id, category_id) VALUES (%s, %s)", [pid, leaf]
        )
    cached_db.categories.move(leaf, root)
    path = next(c.path for c in other.categories.tree() if c.id == leaf)
    assert other.products.get_with_details(pid).categories[0].path == path
    cached_db.categories.move(leaf, new_root)
    moved = next(c for c in other.categories.tree() if c.id == leaf)
    assert moved.parent_id == new_root
    assert other.products.get_with_details(pid).categories[0].path == moved.path != path


def test_a_stock_write_of_a_checkout_transaction_reaches_the_details_after_commit(
    cached_db: Database, other: Database
) -> None:
    pid = product(cached_db)
    (variant,) = other.products.get_with_details(pid).variants
    with cached_db.transaction() as tx:
        tx.inventory.reserve_many([(variant.id, 4)])
        assert other.products.get_with_details(pid).variants[0].quantity_available == 10
    assert other.products.get_with_details(pid).variants[0].quantity_available == 6


def test_under_writers_and_readers_no_read_after_a_committed_price_change_sees_an_older_price(
    cached_db: Database,
) -> None:
    """8 writers raise their product's price again and again; 32 readers in 4 Databases (four
    processes' worth) read the details. A read that starts after a change returned must see
    that price or a newer one: stale reads after commit = 0."""
    writers, readers, seconds = 8, 32, 3.0
    ids = [product(cached_db) for _ in range(writers)]
    committed = {pid: Decimal("10.00") for pid in ids}
    stale: list[tuple[UUID, Decimal, Decimal]] = []
    counts = {"reads": 0, "writes": 0}
    lock = threading.Lock()
    end = time.monotonic() + seconds
    dbs = [Database(cached_db.settings).open() for _ in range(4)]

    def write(pid: UUID) -> None:
        price = Decimal("10.00")
        while time.monotonic() < end:
            price += Decimal("1.00")
            reprice(cached_db, pid, str(price))
            with lock:
                committed[pid] = price
                counts["writes"] += 1

    def read(db: Database, seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < end:
            pid = rng.choice(ids)
            with lock:
                floor = committed[pid]
            seen = db.products.get_with_details(pid).product.price
            with lock:
                counts["reads"] += 1
                if seen < floor:
                    stale.append((pid, floor, seen))

    threads = [threading.Thread(target=write, args=(pid,)) for pid in ids]
    threads += [threading.Thread(target=read, args=(dbs[n % 4], n)) for n in range(readers)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(seconds + 30)
    finally:
        for db in dbs:
            db.close()
    assert counts["writes"] >= writers
    assert counts["reads"] > readers
    assert stale == []
