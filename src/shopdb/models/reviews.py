"""Reviews: the review read model, its submit input, and a product's rating summary."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import Field, StringConstraints

from shopdb.core.errors import ConflictError, DomainError
from shopdb.models.base import InputModel, RowModel, Text


class ReviewStatus(StrEnum):
    """Moderation states: only APPROVED reviews are listed, summarised and voted on."""

    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


class ReviewOrder(StrEnum):
    """How ``reviews.list_approved`` sorts."""

    NEWEST = "NEWEST"
    MOST_HELPFUL = "MOST_HELPFUL"


class Review(RowModel):
    """A review; ``order_id`` is the delivered order that makes it a verified purchase."""

    id: UUID
    product_id: UUID
    user_id: UUID | None
    order_id: UUID | None
    rating: int
    title: str | None
    content: str | None
    is_verified_purchase: bool
    status: ReviewStatus
    helpful_count: int
    not_helpful_count: int
    created_at: datetime
    updated_at: datetime


class NewReview(InputModel):
    """What a user writes: 1 to 5 stars, an optional title and text."""

    rating: Annotated[int, Field(ge=1, le=5, strict=True)]
    title: Annotated[Text, StringConstraints(min_length=1, max_length=200)] | None = None
    content: Annotated[Text, StringConstraints(min_length=1, max_length=10_000)] | None = None


class RatingSummary(RowModel):
    """The approved reviews of a product: how many, their average, and how many per star."""

    count: int
    average: Decimal | None
    one_star: int
    two_stars: int
    three_stars: int
    four_stars: int
    five_stars: int

    @property
    def by_star(self) -> dict[int, int]:
        """Star (1-5) -> how many approved reviews gave it."""
        counts = (self.one_star, self.two_stars, self.three_stars, self.four_stars)
        return dict(zip(range(1, 6), (*counts, self.five_stars), strict=True))


class ReviewMediaLink(RowModel):
    """One media item's place among a review's media."""

    review_id: UUID
    media_id: UUID
    sort_order: int
    created_at: datetime
    updated_at: datetime


class ReviewMedia(RowModel):
    """A media item of a review as ``list_media`` gives it, in sort order."""

    review_id: UUID
    media_id: UUID
    sort_order: int
    url: str
    type: str
    mime_type: str
    width: int | None
    height: int | None
    alt: str | None
    caption: str | None


class DuplicateReview(DomainError, ConflictError):
    """The user has already reviewed this product (one review per user per product); a
    ConflictError too, like every duplicate key."""


class IllegalReviewTransition(DomainError):
    """A moderation step the review's status does not allow (only PENDING is moderated)."""
