"""The back office's review operations against a real PostgreSQL: delete, review media, and
the product_ratings read model that rating_summary serves, kept by the database in the
transaction of every approval, rejection and deletion (migration 0085)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from shopdb import Database, Transaction
from shopdb.errors import ConflictError, ConstraintViolation, NotFoundError
from shopdb.models import NewReview, RatingSummary, Review
from tests.schema.rows import Rows
from tests.support.factories import new_user


@pytest.fixture
def rows(tx: Transaction) -> Rows:
    return Rows(tx.connection)


@pytest.fixture
def product_id(rows: Rows) -> UUID:
    pid: UUID = rows.id("products", status="ACTIVE")
    return pid


@pytest.fixture
def review(tx: Transaction, product_id: UUID) -> Callable[[int], Review]:
    def submit(rating: int) -> Review:
        user_id = tx.users.create(new_user()).id
        return tx.reviews.submit(user_id, product_id, NewReview(rating=rating))

    return submit


def aggregated(tx: Transaction, product_id: UUID) -> tuple[int, Decimal | None]:
    """The count and average computed from the reviews themselves, as the read model must."""
    row = tx.connection.execute(
        """SELECT count(*), round(avg(rating), 2) FROM reviews
            WHERE product_id = %s AND status = 'APPROVED' AND deleted_at IS NULL""",
        [product_id],
    ).fetchone()
    assert row is not None
    return int(row[0]), row[1]


def summary(tx: Transaction, product_id: UUID) -> tuple[int, Decimal | None, dict[int, int]]:
    found: RatingSummary = tx.reviews.rating_summary(product_id)
    return found.count, found.average, found.by_star


# --- the ratings read model -------------------------------------------------------------------


def test_a_product_without_approved_reviews_has_an_empty_summary(
    tx: Transaction, product_id: UUID, review: Callable[[int], Review]
) -> None:
    review(5)  # PENDING: not counted

    assert summary(tx, product_id) == (0, None, {1: 0, 2: 0, 3: 0, 4: 0, 5: 0})


def test_approval_rejection_and_deletion_move_the_rating_in_their_transaction(
    tx: Transaction, product_id: UUID, review: Callable[[int], Review]
) -> None:
    five, four, one = review(5), review(4), review(1)
    for r in (five, four, one):
        tx.reviews.approve(r.id)
    assert summary(tx, product_id) == (3, Decimal("3.33"), {1: 1, 2: 0, 3: 0, 4: 1, 5: 1})

    tx.reviews.reject(one.id)
    assert summary(tx, product_id) == (2, Decimal("4.50"), {1: 0, 2: 0, 3: 0, 4: 1, 5: 1})

    tx.reviews.delete(four.id)
    assert summary(tx, product_id) == (1, Decimal("5.00"), {1: 0, 2: 0, 3: 0, 4: 0, 5: 1})
    assert summary(tx, product_id)[:2] == aggregated(tx, product_id)

    tx.reviews.approve(one.id)
    assert summary(tx, product_id)[:2] == aggregated(tx, product_id) == (2, Decimal("3.00"))


def test_rating_summary_reads_the_read_model_not_the_reviews(
    tx: Transaction, product_id: UUID, review: Callable[[int], Review]
) -> None:
    """A change of product_ratings alone shows in the summary: it is what the read serves."""
    tx.reviews.approve(review(3).id)
    tx.connection.execute(
        "UPDATE product_ratings SET rating_count = 2, five_stars = 1 WHERE product_id = %s",
        [product_id],
    )

    assert summary(tx, product_id)[:2] == (2, Decimal("4.00"))


def test_a_rolled_back_approval_leaves_the_rating_as_it_was(
    tx: Transaction, product_id: UUID, review: Callable[[int], Review]
) -> None:
    pending = review(2)
    with pytest.raises(_Undo), tx.savepoint():
        tx.reviews.approve(pending.id)
        assert summary(tx, product_id)[0] == 1
        raise _Undo

    assert summary(tx, product_id)[0] == 0


class _Undo(Exception):
    pass


def test_concurrent_approvals_of_one_product_are_all_counted(db: Database) -> None:
    """Eight moderators approve eight reviews of one product at once: the trigger's upsert of
    the product's rating row queues them, and none is lost."""
    with db.transaction() as tx:
        product_id = Rows(tx.connection).id("products", status="ACTIVE")
        reviews = [
            tx.reviews.submit(tx.users.create(new_user()).id, product_id, NewReview(rating=r))
            for r in (1, 2, 3, 4, 5, 5, 4, 3)
        ]
    start = threading.Barrier(len(reviews))

    def approve(review: Review) -> None:
        start.wait(10)
        db.reviews.approve(review.id)

    with ThreadPoolExecutor(len(reviews)) as pool:
        list(pool.map(approve, reviews, timeout=60))

    found = db.reviews.rating_summary(product_id)
    assert (found.count, found.average) == (8, Decimal("3.38"))
    assert found.by_star == {1: 1, 2: 1, 3: 2, 4: 2, 5: 2}


# --- delete -----------------------------------------------------------------------------------


def test_delete_hides_the_review_from_every_read(
    tx: Transaction, product_id: UUID, review: Callable[[int], Review]
) -> None:
    gone = review(4)
    tx.reviews.approve(gone.id)

    tx.reviews.delete(gone.id)

    with pytest.raises(NotFoundError):
        tx.reviews.get(gone.id)
    assert tx.reviews.list_approved(product_id).items == []


def test_delete_of_an_unknown_or_deleted_review_is_not_found(
    tx: Transaction, review: Callable[[int], Review]
) -> None:
    gone = review(4)
    tx.reviews.delete(gone.id)

    for review_id in (gone.id, uuid4()):
        with pytest.raises(NotFoundError):
            tx.reviews.delete(review_id)


# --- media ------------------------------------------------------------------------------------


def media(rows: Rows, **columns: Any) -> UUID:
    media_id: UUID = rows.id("media", **columns)
    return media_id


def test_add_media_appends_in_order_and_list_media_gives_them_back(
    tx: Transaction, rows: Rows, review: Callable[[int], Review]
) -> None:
    target = review(5)
    first, second, third = media(rows), media(rows), media(rows)

    links = [tx.reviews.add_media(target.id, m) for m in (first, second)]
    placed = tx.reviews.add_media(target.id, third, sort_order=0)

    assert [link.sort_order for link in links] == [0, 1]
    assert placed.sort_order == 0
    listed = tx.reviews.list_media(target.id)
    assert [(m.media_id, m.sort_order) for m in listed] == sorted(
        [(first, 0), (second, 1), (third, 0)], key=lambda pair: (pair[1], pair[0])
    )
    assert all(m.url.startswith("http") for m in listed)


def test_remove_media_detaches_it_and_an_absent_link_is_not_found(
    tx: Transaction, rows: Rows, review: Callable[[int], Review]
) -> None:
    target = review(5)
    photo = media(rows)
    tx.reviews.add_media(target.id, photo)

    tx.reviews.remove_media(target.id, photo)

    assert tx.reviews.list_media(target.id) == []
    with pytest.raises(NotFoundError):
        tx.reviews.remove_media(target.id, photo)


def test_add_media_refuses_bad_input_and_writes_nothing(
    tx: Transaction, rows: Rows, review: Callable[[int], Review]
) -> None:
    target = review(5)
    photo = media(rows)
    tx.reviews.add_media(target.id, photo)

    with pytest.raises(ConflictError):
        tx.reviews.add_media(target.id, photo)
    with pytest.raises(ConstraintViolation):
        tx.reviews.add_media(target.id, uuid4())
    with pytest.raises(ConstraintViolation):
        tx.reviews.add_media(target.id, media(rows), sort_order=-1)
    with pytest.raises(NotFoundError):
        tx.reviews.add_media(uuid4(), media(rows))

    assert [m.media_id for m in tx.reviews.list_media(target.id)] == [photo]


def test_the_media_of_a_deleted_review_are_not_listed(
    tx: Transaction, rows: Rows, review: Callable[[int], Review]
) -> None:
    target = review(5)
    tx.reviews.add_media(target.id, media(rows))
    tx.reviews.delete(target.id)

    assert tx.reviews.list_media(target.id) == []
    with pytest.raises(NotFoundError):
        tx.reviews.add_media(target.id, media(rows))
