"""ReviewRepository: product reviews, their moderation, votes and rating summary."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from shopdb.core.paging import NEWEST_FIRST, CursorPage, Keyset
from shopdb.core.unit_async import unit_of_work
from shopdb.models.audit import Actor
from shopdb.models.audited import ReviewModeration, ReviewRemoval
from shopdb.models.reviews import (
    DuplicateReview,
    IllegalReviewTransition,
    NewReview,
    RatingSummary,
    Review,
    ReviewMedia,
    ReviewMediaLink,
    ReviewOrder,
    ReviewStatus,
)
from shopdb.models.users import ERASED_OWNER, UserErased
from shopdb.repositories.base_async import AsyncShopRepository
from shopdb.repositories.catalog_cache import REVIEW_INVALIDATIONS, REVIEW_LEAVES, REVIEW_READS

MOST_HELPFUL_FIRST = Keyset(
    ("helpful_count", "created_at", "id"),
    ((1 << 31) - 1, datetime.max.replace(tzinfo=UTC), UUID(int=(1 << 128) - 1)),
)
"""ORDER BY helpful_count DESC, created_at DESC, id DESC."""


class AsyncReviewRepository(AsyncShopRepository):
    """Reviews. Only APPROVED reviews are listed, summarised and voted on."""

    namespace = "reviews"
    entity = "review"
    tables = ("reviews", "review_media", "review_votes", "product_ratings")
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
        "soft_delete": Review,
        "add_media": ReviewMediaLink,
        "remove_media": ReviewMediaLink,
        "list_media": ReviewMedia,
    }
    replica_reads = frozenset(
        {"list_approved_newest", "list_approved_most_helpful", "rating_summary"}
    )
    constraint_messages = {
        "reviews_product_id_user_id_key": "the user has already reviewed this product",
        "reviews_product_id_fkey": "there is no such product",
        "reviews_user_id_fkey": "there is no such user",
        "reviews_rating_check": "a rating is 1 to 5 stars",
        "review_votes_user_id_fkey": "there is no such user",
        "review_media_pkey": "the media item is attached to this review already",
        "review_media_media_id_fkey": "there is no such media item",
        "review_media_sort_order_check": "a sort order is 0 or more",
        "reviews_owner_not_erased_check": ERASED_OWNER,
        "review_votes_owner_not_erased_check": ERASED_OWNER,
    }
    constraint_errors = {
        "reviews_product_id_user_id_key": DuplicateReview,
        "reviews_owner_not_erased_check": UserErased,
        "review_votes_owner_not_erased_check": UserErased,
    }

    async def submit(self, user_id: UUID, product_id: UUID, new: NewReview) -> Review:
        """Store the user's PENDING review of the product, a verified purchase when one of
        their DELIVERED orders holds it; DuplicateReview when they reviewed it already."""
        return await self._get(
            "submit", Review, product_id=product_id, user_id=user_id, **new.model_dump()
        )

    async def get(self, review_id: UUID) -> Review:
        """The review with this id; NotFoundError otherwise."""
        return await self._get("get", Review, id=review_id)

    async def approve(self, review_id: UUID, *, actor: Actor | None = None) -> Review:
        """Publish a PENDING (or earlier rejected) review, audited (``reviews``/``approve``;
        None: the SYSTEM actor); IllegalReviewTransition if approved."""
        return await self._moderate(review_id, ReviewStatus.APPROVED, "approve", actor)

    async def reject(self, review_id: UUID, *, actor: Actor | None = None) -> Review:
        """Refuse a PENDING (or take down an approved) review, audited (``reviews``/``reject``);
        IllegalReviewTransition if it is rejected already."""
        return await self._moderate(review_id, ReviewStatus.REJECTED, "reject", actor)

    async def list_approved(
        self,
        product_id: UUID,
        *,
        order: ReviewOrder = ReviewOrder.NEWEST,
        limit: int = 20,
        cursor: str | None = None,
    ) -> CursorPage[Review]:
        """A product's approved reviews, newest or most helpful first, ``limit`` at a time."""
        if order is ReviewOrder.NEWEST:
            return await self._page(
                "list_approved_newest", Review, NEWEST_FIRST,
                limit=limit, cursor=cursor, product_id=product_id,
            )  # fmt: skip
        return await self._page(
            "list_approved_most_helpful", Review, MOST_HELPFUL_FIRST,
            limit=limit, cursor=cursor, product_id=product_id,
        )  # fmt: skip

    async def rating_summary(self, product_id: UUID) -> RatingSummary:
        """Count, average and per-star counts of the product's approved live reviews: one row
        of the product_ratings read model, kept by the database in the transaction of every
        moderation, deletion or rating change (migration 0085), not an aggregate of the
        reviews. Cached (REDIS_URL) as ``reviews.rating_summary``."""
        return await self._cached("rating_summary", self._rating_summary, product_id=product_id)

    async def _rating_summary(self, product_id: UUID) -> RatingSummary:
        return await self._get("rating_summary", RatingSummary, product_id=product_id)

    @unit_of_work
    async def vote(self, review_id: UUID, *, user_id: UUID, helpful: bool) -> Review:
        """The user's helpful or not-helpful vote: one per user and review, a second vote
        replaces the first. Locks the review row. NotFoundError unless the review is approved
        and its product ACTIVE (nothing written); ConstraintViolation for an unknown user."""
        await self._lock("lock_for_vote", Review, id=review_id)
        return await self._get("vote", Review, id=review_id, user_id=user_id, helpful=helpful)

    async def erase_text_for_user(self, user_id: UUID) -> int:
        """The reviews' step of an erasure (``db.erasure.erase``): the title and text of the
        user's reviews blanked; ratings, statuses and votes kept (product ratings do not
        move). How many reviews changed."""
        return await self._count("erase_text_for_user", user_id=user_id)

    @unit_of_work
    async def delete(self, review_id: UUID, *, actor: Actor | None = None) -> None:
        """Take a review down (soft delete: hidden from every read, out of its product's
        rating in the same transaction), audited (``reviews``/``delete``, ReviewRemoval
        before); NotFoundError when there is no live review with this id. Locks: the review
        row."""
        before = await self._lock("lock_for_moderation", ReviewModeration, id=review_id)
        gone = await self._get("soft_delete", Review, id=review_id)
        removed = ReviewRemoval(id=gone.id, product_id=gone.product_id, rating=gone.rating,
                                status=before.status)  # fmt: skip
        await self._audited(actor or Actor.system(), "delete", review_id, removed, None)

    @unit_of_work
    async def add_media(
        self, review_id: UUID, media_id: UUID, *, sort_order: int | None = None
    ) -> ReviewMediaLink:
        """Attach a media item to a live review at ``sort_order``, or after its last one when
        None. NotFoundError for the review, ConflictError when attached already,
        ConstraintViolation for an unknown media item or a negative sort order. Locks: the
        review row (two appends get distinct places)."""
        await self._lock("lock_for_moderation", ReviewModeration, id=review_id)
        return await self._get("add_media", ReviewMediaLink, review_id=review_id, media_id=media_id,
                         sort_order=sort_order)  # fmt: skip

    async def remove_media(self, review_id: UUID, media_id: UUID) -> None:
        """Detach a media item from a review (the media item stays); NotFoundError when it
        was not attached."""
        await self._get("remove_media", ReviewMediaLink, review_id=review_id, media_id=media_id)

    async def list_media(self, review_id: UUID) -> list[ReviewMedia]:
        """The media of a live review in sort order (empty for a deleted or unknown one)."""
        return await self._list("list_media", ReviewMedia, review_id=review_id)

    @unit_of_work
    async def _moderate(
        self, review_id: UUID, status: ReviewStatus, action: str, actor: Actor | None
    ) -> Review:
        """Lock the review, move it, audit the move. Locks: the review row."""
        before = await self._lock("lock_for_moderation", ReviewModeration, id=review_id)
        moved = await self._find("moderate", Review, id=review_id, status=status)
        if moved is None:
            raise IllegalReviewTransition(
                f"review: already {before.status.value}, cannot be {status.value.lower()} again"
            )
        await self._tx.events.record_review(moved)
        after = ReviewModeration(id=moved.id, status=moved.status)
        return await self._audited(actor or Actor.system(), action, review_id, before, after,
                             result=moved)  # fmt: skip
