"""ReviewRepository: product reviews, their moderation, votes and rating summary."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from shopdb.core.paging import NEWEST_FIRST, CursorPage, Keyset
from shopdb.core.unit import unit_of_work
from shopdb.models.audit import Actor
from shopdb.models.audited import ReviewModeration
from shopdb.models.reviews import (
    DuplicateReview,
    IllegalReviewTransition,
    NewReview,
    RatingSummary,
    Review,
    ReviewOrder,
    ReviewStatus,
)
from shopdb.repositories.base import ShopRepository
from shopdb.repositories.catalog_cache import REVIEW_INVALIDATIONS, REVIEW_LEAVES, REVIEW_READS

MOST_HELPFUL_FIRST = Keyset(
    ("helpful_count", "created_at", "id"),
    ((1 << 31) - 1, datetime.max.replace(tzinfo=UTC), UUID(int=(1 << 128) - 1)),
)
"""ORDER BY helpful_count DESC, created_at DESC, id DESC."""


class ReviewRepository(ShopRepository):
    """Reviews. Only APPROVED reviews are listed, summarised and voted on."""

    namespace = "reviews"
    entity = "review"
    tables = ("reviews", "review_media", "review_votes")
    locks = {"lock_for_vote": Review, "lock_for_moderation": ReviewModeration}
    cached_reads = REVIEW_READS
    invalidations = REVIEW_INVALIDATIONS
    leaves_cached = REVIEW_LEAVES
    queries = {
        "submit": Review,
        "get": Review,
        "moderate": Review,
        "list_approved_newest": Review,
        "list_approved_most_helpful": Review,
        "rating_summary": RatingSummary,
        "vote": Review,
        "erase_text_for_user": None,
    }
    constraint_messages = {
        "reviews_product_id_user_id_key": "the user has already reviewed this product",
        "reviews_product_id_fkey": "there is no such product",
        "reviews_user_id_fkey": "there is no such user",
        "reviews_rating_check": "a rating is 1 to 5 stars",
        "review_votes_user_id_fkey": "there is no such user",
    }
    constraint_errors = {"reviews_product_id_user_id_key": DuplicateReview}

    def submit(self, user_id: UUID, product_id: UUID, new: NewReview) -> Review:
        """Store the user's PENDING review of the product, a verified purchase when one of
        their DELIVERED orders holds it; DuplicateReview when they reviewed it already."""
        return self._get(
            "submit", Review, product_id=product_id, user_id=user_id, **new.model_dump()
        )

    def get(self, review_id: UUID) -> Review:
        """The review with this id; NotFoundError otherwise."""
        return self._get("get", Review, id=review_id)

    def approve(self, review_id: UUID, *, actor: Actor | None = None) -> Review:
        """Publish a PENDING (or earlier rejected) review, audited (``reviews``/``approve``;
        None: the SYSTEM actor); IllegalReviewTransition if approved."""
        return self._moderate(review_id, ReviewStatus.APPROVED, "approve", actor)

    def reject(self, review_id: UUID, *, actor: Actor | None = None) -> Review:
        """Refuse a PENDING (or take down an approved) review, audited (``reviews``/``reject``);
        IllegalReviewTransition if it is rejected already."""
        return self._moderate(review_id, ReviewStatus.REJECTED, "reject", actor)

    def list_approved(
        self,
        product_id: UUID,
        *,
        order: ReviewOrder = ReviewOrder.NEWEST,
        limit: int = 20,
        cursor: str | None = None,
    ) -> CursorPage[Review]:
        """A product's approved reviews, newest or most helpful first, ``limit`` at a time."""
        if order is ReviewOrder.NEWEST:
            return self._page(
                "list_approved_newest", Review, NEWEST_FIRST,
                limit=limit, cursor=cursor, product_id=product_id,
            )  # fmt: skip
        return self._page(
            "list_approved_most_helpful", Review, MOST_HELPFUL_FIRST,
            limit=limit, cursor=cursor, product_id=product_id,
        )  # fmt: skip

    def rating_summary(self, product_id: UUID) -> RatingSummary:
        """Count, average and per-star counts of the product's approved reviews (one query;
        cached, REDIS_URL, as ``reviews.rating_summary``)."""
        return self._cached("rating_summary", self._rating_summary, product_id=product_id)

    def _rating_summary(self, product_id: UUID) -> RatingSummary:
        return self._get("rating_summary", RatingSummary, product_id=product_id)

    @unit_of_work
    def vote(self, review_id: UUID, *, user_id: UUID, helpful: bool) -> Review:
        """The user's helpful or not-helpful vote: one per user and review, a second vote
        replaces the first. Locks the review row. NotFoundError unless the review is approved
        and its product ACTIVE (nothing written); ConstraintViolation for an unknown user."""
        self._lock("lock_for_vote", Review, id=review_id)
        return self._get("vote", Review, id=review_id, user_id=user_id, helpful=helpful)

    def erase_text_for_user(self, user_id: UUID) -> int:
        """The reviews' step of an erasure (``db.erasure.erase``): the title and text of the
        user's reviews blanked; ratings, statuses and votes kept (product ratings do not
        move). How many reviews changed."""
        return self._count("erase_text_for_user", user_id=user_id)

    @unit_of_work
    def _moderate(
        self, review_id: UUID, status: ReviewStatus, action: str, actor: Actor | None
    ) -> Review:
        """Lock the review, move it, audit the move. Locks: the review row."""
        before = self._lock("lock_for_moderation", ReviewModeration, id=review_id)
        moved = self._find("moderate", Review, id=review_id, status=status)
        if moved is None:
            raise IllegalReviewTransition(
                f"review: already {before.status.value}, cannot be {status.value.lower()} again"
            )
        after = ReviewModeration(id=moved.id, status=moved.status)
        return self._audited(actor or Actor.system(), action, review_id, before, after,
                             result=moved)  # fmt: skip
