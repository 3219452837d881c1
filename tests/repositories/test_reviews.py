"""ReviewRepository against a real PostgreSQL: submit, verified purchase, moderation, listing,
summary and votes. Products and orders have no repository here yet: their rows are inserted
with plain SQL (tests/schema/rows.py) on the test's transaction."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from shopdb import Database
from shopdb.errors import (
    ConstraintViolation,
    DuplicateReview,
    IllegalReviewTransition,
    InvalidCursor,
    InvalidInput,
    NotFoundError,
)
from shopdb.models import NewReview, Review, ReviewOrder, ReviewStatus
from shopdb.transaction import Transaction
from tests.schema.rows import Rows
from tests.support.factories import new_user


@pytest.fixture
def rows(tx: Transaction) -> Rows:
    return Rows(tx.connection)


@pytest.fixture
def product_id(rows: Rows) -> UUID:
    pid: UUID = rows.id("products", status="ACTIVE")  # votes are taken on ACTIVE products only
    return pid


@pytest.fixture
def make_user(tx: Transaction) -> Callable[[], UUID]:
    return lambda: tx.users.create(new_user()).id


def order_with(rows: Rows, user_id: UUID, product_id: UUID, status: str) -> UUID:
    """An order of the user in ``status`` with one line of the product."""
    order_id: UUID = rows.id("orders", user_id=user_id, status=status)
    rows.insert("order_items", order_id=order_id, product_id=product_id)
    return order_id


def votes_on(tx: Transaction, review_id: UUID) -> int:
    """How many vote rows the review has."""
    row = tx.connection.execute(
        "SELECT count(*) FROM review_votes WHERE review_id = %s", [review_id]
    ).fetchone()
    assert row is not None
    return int(row[0])


def approved(
    tx: Transaction, product_id: UUID, make_user: Callable[[], UUID], rating: int
) -> Review:
    review = tx.reviews.submit(make_user(), product_id, NewReview(rating=rating))
    return tx.reviews.approve(review.id)


# --- submit -----------------------------------------------------------------------------------


def test_submit_stores_a_pending_unverified_review(
    tx: Transaction, product_id: UUID, make_user: Callable[[], UUID]
) -> None:
    user_id = make_user()

    review = tx.reviews.submit(user_id, product_id, NewReview(rating=4, title="Good", content="Ok"))

    assert (review.product_id, review.user_id, review.rating) == (product_id, user_id, 4)
    assert (review.title, review.content) == ("Good", "Ok")
    assert review.status is ReviewStatus.PENDING
    assert review.is_verified_purchase is False and review.order_id is None
    assert (review.helpful_count, review.not_helpful_count) == (0, 0)
    assert tx.reviews.get(review.id) == review


def test_a_delivered_order_with_the_product_makes_it_a_verified_purchase(
    tx: Transaction, rows: Rows, product_id: UUID, make_user: Callable[[], UUID]
) -> None:
    user_id = make_user()
    order_id = order_with(rows, user_id, product_id, "DELIVERED")

    review = tx.reviews.submit(user_id, product_id, NewReview(rating=5))

    assert review.is_verified_purchase is True
    assert review.order_id == order_id


@pytest.mark.parametrize("status", ["PENDING", "PAID", "SHIPPED", "CANCELLED"])
def test_an_order_not_delivered_does_not_verify(
    tx: Transaction, rows: Rows, product_id: UUID, make_user: Callable[[], UUID], status: str
) -> None:
    user_id = make_user()
    order_with(rows, user_id, product_id, status)

    assert not tx.reviews.submit(user_id, product_id, NewReview(rating=3)).is_verified_purchase


def test_a_delivered_order_of_another_product_or_user_does_not_verify(
    tx: Transaction, rows: Rows, product_id: UUID, make_user: Callable[[], UUID]
) -> None:
    user_id = make_user()
    order_with(rows, user_id, rows.id("products"), "DELIVERED")
    order_with(rows, make_user(), product_id, "DELIVERED")

    assert not tx.reviews.submit(user_id, product_id, NewReview(rating=3)).is_verified_purchase


def test_a_second_review_of_one_product_by_one_user_is_a_duplicate(
    tx: Transaction, product_id: UUID, make_user: Callable[[], UUID]
) -> None:
    user_id = make_user()
    tx.reviews.submit(user_id, product_id, NewReview(rating=4))

    with pytest.raises(DuplicateReview) as caught, tx.savepoint():
        tx.reviews.submit(user_id, product_id, NewReview(rating=1))

    assert caught.value.constraint == "reviews_product_id_user_id_key"


def test_a_review_of_a_missing_product_names_the_foreign_key(
    tx: Transaction, make_user: Callable[[], UUID]
) -> None:
    with pytest.raises(ConstraintViolation) as caught, tx.savepoint():
        tx.reviews.submit(make_user(), uuid4(), NewReview(rating=4))

    assert caught.value.constraint == "reviews_product_id_fkey"


@pytest.mark.parametrize(
    "values", [{"rating": 0}, {"rating": 6}, {"rating": 3, "title": ""}, {"rating": 3, "x": 1}]
)
def test_a_malformed_review_is_refused_before_the_database(values: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        NewReview.model_validate(values)


def test_the_schema_refuses_a_rating_out_of_range(
    tx: Transaction, product_id: UUID, make_user: Callable[[], UUID]
) -> None:
    with pytest.raises(ConstraintViolation) as caught, tx.savepoint():
        tx.reviews.submit(make_user(), product_id, NewReview.model_construct(rating=9))

    assert caught.value.constraint == "reviews_rating_check"


# --- moderation -------------------------------------------------------------------------------


def test_approve_then_reject_then_approve_again(
    tx: Transaction, product_id: UUID, make_user: Callable[[], UUID]
) -> None:
    review = tx.reviews.submit(make_user(), product_id, NewReview(rating=4))

    assert tx.reviews.approve(review.id).status is ReviewStatus.APPROVED
    assert tx.reviews.reject(review.id).status is ReviewStatus.REJECTED
    assert tx.reviews.approve(review.id).status is ReviewStatus.APPROVED


def test_approving_an_approved_review_is_an_illegal_transition(
    tx: Transaction, product_id: UUID, make_user: Callable[[], UUID]
) -> None:
    review = tx.reviews.submit(make_user(), product_id, NewReview(rating=4))
    tx.reviews.approve(review.id)

    with pytest.raises(IllegalReviewTransition, match="already APPROVED"):
        tx.reviews.approve(review.id)


def test_rejecting_a_rejected_review_is_an_illegal_transition(
    tx: Transaction, product_id: UUID, make_user: Callable[[], UUID]
) -> None:
    review = tx.reviews.submit(make_user(), product_id, NewReview(rating=4))
    tx.reviews.reject(review.id)

    with pytest.raises(IllegalReviewTransition):
        tx.reviews.reject(review.id)


@pytest.mark.parametrize("action", ["approve", "reject", "get"])
def test_moderating_a_missing_review_is_not_found(tx: Transaction, action: str) -> None:
    with pytest.raises(NotFoundError, match="review"):
        getattr(tx.reviews, action)(uuid4())


# --- listing ----------------------------------------------------------------------------------


def test_list_approved_shows_only_approved_reviews_of_the_product_newest_first(
    tx: Transaction, rows: Rows, product_id: UUID, make_user: Callable[[], UUID]
) -> None:
    first = approved(tx, product_id, make_user, 5)
    second = approved(tx, product_id, make_user, 3)
    tx.reviews.submit(make_user(), product_id, NewReview(rating=1))  # pending
    tx.reviews.reject(tx.reviews.submit(make_user(), product_id, NewReview(rating=1)).id)
    approved(tx, rows.id("products"), make_user, 2)  # another product

    page = tx.reviews.list_approved(product_id)

    # One transaction: created_at ties, so the id (uuid v7, increasing) decides.
    assert [r.id for r in page.items] == [second.id, first.id]
    assert page.next_cursor is None


def test_list_approved_pages_through_every_review_once(
    tx: Transaction, product_id: UUID, make_user: Callable[[], UUID]
) -> None:
    made = {approved(tx, product_id, make_user, 4).id for _ in range(7)}
    seen: list[UUID] = []
    cursor: str | None = None
    while True:
        page = tx.reviews.list_approved(product_id, limit=3, cursor=cursor)
        seen += [r.id for r in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break

    assert len(seen) == 7 and set(seen) == made


def test_most_helpful_first_sorts_by_votes_then_newest_and_pages(
    tx: Transaction, product_id: UUID, make_user: Callable[[], UUID]
) -> None:
    reviews = [approved(tx, product_id, make_user, 4) for _ in range(4)]
    for review, votes in zip(reviews, [1, 3, 0, 3], strict=True):
        for _ in range(votes):
            tx.reviews.vote(review.id, user_id=make_user(), helpful=True)

    first = tx.reviews.list_approved(product_id, order=ReviewOrder.MOST_HELPFUL, limit=2)
    assert first.next_cursor is not None
    rest = tx.reviews.list_approved(
        product_id, order=ReviewOrder.MOST_HELPFUL, limit=2, cursor=first.next_cursor
    )

    ordered = [r.id for r in [*first.items, *rest.items]]
    assert ordered == [reviews[3].id, reviews[1].id, reviews[0].id, reviews[2].id]
    assert [r.helpful_count for r in first.items] == [3, 3]
    assert rest.next_cursor is None


def test_a_cursor_of_one_order_or_product_is_refused_for_another(
    tx: Transaction, rows: Rows, product_id: UUID, make_user: Callable[[], UUID]
) -> None:
    for _ in range(2):
        approved(tx, product_id, make_user, 4)
    cursor = tx.reviews.list_approved(product_id, limit=1).next_cursor
    assert cursor is not None

    with pytest.raises(InvalidCursor):
        tx.reviews.list_approved(product_id, order=ReviewOrder.MOST_HELPFUL, cursor=cursor)
    with pytest.raises(InvalidCursor):
        tx.reviews.list_approved(rows.id("products"), cursor=cursor)


# --- rating summary -----------------------------------------------------------------------------


def test_rating_summary_counts_approved_reviews_per_star_with_an_exact_average(
    tx: Transaction, product_id: UUID, make_user: Callable[[], UUID]
) -> None:
    for rating in [5, 5, 4, 1]:
        approved(tx, product_id, make_user, rating)
    tx.reviews.submit(make_user(), product_id, NewReview(rating=1))  # pending: not counted

    summary = tx.reviews.rating_summary(product_id)

    assert summary.count == 4
    assert summary.average == Decimal("3.75")
    assert summary.by_star == {1: 1, 2: 0, 3: 0, 4: 1, 5: 2}


def test_rating_summary_of_a_product_without_reviews_is_empty(
    tx: Transaction, product_id: UUID
) -> None:
    summary = tx.reviews.rating_summary(product_id)

    assert (summary.count, summary.average) == (0, None)
    assert set(summary.by_star.values()) == {0}


def test_rating_summary_rounds_the_average_to_two_places(
    tx: Transaction, product_id: UUID, make_user: Callable[[], UUID]
) -> None:
    for rating in [5, 4, 4]:
        approved(tx, product_id, make_user, rating)

    assert tx.reviews.rating_summary(product_id).average == Decimal("4.33")


# --- votes --------------------------------------------------------------------------------------


def test_votes_count_helpful_and_not_helpful_separately(
    tx: Transaction, product_id: UUID, make_user: Callable[[], UUID]
) -> None:
    review = approved(tx, product_id, make_user, 4)

    tx.reviews.vote(review.id, user_id=make_user(), helpful=True)
    tx.reviews.vote(review.id, user_id=make_user(), helpful=True)
    voted = tx.reviews.vote(review.id, user_id=make_user(), helpful=False)

    assert (voted.helpful_count, voted.not_helpful_count) == (2, 1)


def test_one_vote_per_user_and_review_voting_again_changes_it(
    tx: Transaction, product_id: UUID, make_user: Callable[[], UUID]
) -> None:
    review = approved(tx, product_id, make_user, 4)
    voter = make_user()

    tx.reviews.vote(review.id, user_id=voter, helpful=True)
    again = tx.reviews.vote(review.id, user_id=voter, helpful=True)
    changed = tx.reviews.vote(review.id, user_id=voter, helpful=False)

    assert (again.helpful_count, again.not_helpful_count) == (1, 0)
    assert (changed.helpful_count, changed.not_helpful_count) == (0, 1)
    assert votes_on(tx, review.id) == 1


def test_a_vote_on_a_review_of_a_product_not_active_is_not_found_and_writes_nothing(
    tx: Transaction, rows: Rows, make_user: Callable[[], UUID]
) -> None:
    draft = rows.id("products", status="DRAFT")
    review = approved(tx, draft, make_user, 4)

    with pytest.raises(NotFoundError):
        tx.reviews.vote(review.id, user_id=make_user(), helpful=True)

    assert tx.reviews.get(review.id).helpful_count == 0
    assert votes_on(tx, review.id) == 0


def test_a_vote_on_a_review_not_approved_is_not_found(
    tx: Transaction, product_id: UUID, make_user: Callable[[], UUID]
) -> None:
    review = tx.reviews.submit(make_user(), product_id, NewReview(rating=4))

    with pytest.raises(NotFoundError):
        tx.reviews.vote(review.id, user_id=make_user(), helpful=True)
    with pytest.raises(NotFoundError):
        tx.reviews.vote(uuid4(), user_id=make_user(), helpful=False)


def test_concurrent_votes_lose_no_increment(db: Database) -> None:
    with db.transaction() as tx:
        product_id = Rows(tx.connection).id("products", status="ACTIVE")
        user_id = tx.users.create(new_user()).id
        review = tx.reviews.approve(tx.reviews.submit(user_id, product_id, NewReview(rating=5)).id)
        voters = [tx.users.create(new_user()).id for _ in range(40)]
    threads = 4
    barrier = threading.Barrier(threads, timeout=10)

    def voter(i: int) -> None:
        barrier.wait()
        for j in range(10):
            db.reviews.vote(review.id, user_id=voters[i * 10 + j], helpful=i % 2 == 0)

    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(voter, range(threads)))

    final = db.reviews.get(review.id)
    assert (final.helpful_count, final.not_helpful_count) == (20, 20)
