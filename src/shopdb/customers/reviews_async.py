"""A customer's reviews: the owner-bound query and the view's methods."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from shopdb.customers.base_async import AsyncCustomerRepository
from shopdb.models.reviews import NewReview, Review
from shopdb.repositories.reviews_async import AsyncReviewRepository

if TYPE_CHECKING:
    from shopdb.components_async import AsyncComponents


class AsyncCustomerReviewRepository(AsyncCustomerRepository):
    """Reviews by id, bound to their author (sql/customer_reviews.sql)."""

    namespace = "customer_reviews"
    entity = "review"
    aggregate = AsyncReviewRepository
    queries = {"get": Review}

    async def get(self, review_id: UUID, *, user_id: UUID) -> Review:
        """The user's own review, in any status; NotFoundError otherwise."""
        return await self._get("get", Review, id=review_id, user_id=user_id)


class AsyncCustomerReviews:
    """``db.customer(user_id).reviews``: the customer's own reviews."""

    def __init__(self, unit: AsyncComponents, user_id: UUID) -> None:
        self._unit = unit
        self._user_id = user_id
        self._own = unit.repository(AsyncCustomerReviewRepository)

    async def submit(self, product_id: UUID, new: NewReview) -> Review:
        """Store the customer's PENDING review of the product."""
        return await self._unit.reviews.submit(self._user_id, product_id, new)

    async def vote(self, review_id: UUID, *, helpful: bool) -> Review:
        """The customer's helpful or not-helpful vote on an approved review of an ACTIVE
        product: one per customer and review, a second vote replaces the first."""
        return await self._unit.reviews.vote(review_id, user_id=self._user_id, helpful=helpful)

    async def get(self, review_id: UUID) -> Review:
        """The customer's own review; NotFoundError otherwise."""
        return await self._own.get(review_id, user_id=self._user_id)
