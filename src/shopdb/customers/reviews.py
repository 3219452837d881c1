"""A customer's reviews: the owner-bound query and the view's methods."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from shopdb.customers.base import CustomerRepository
from shopdb.models.reviews import NewReview, Review
from shopdb.repositories.reviews import ReviewRepository

if TYPE_CHECKING:
    from shopdb.components import Components


class CustomerReviewRepository(CustomerRepository):
    """Reviews by id, bound to their author (sql/customer_reviews.sql)."""

    namespace = "customer_reviews"
    entity = "review"
    aggregate = ReviewRepository
    queries = {"get": Review}

    def get(self, review_id: UUID, *, user_id: UUID) -> Review:
        """The user's own review, in any status; NotFoundError otherwise."""
        return self._get("get", Review, id=review_id, user_id=user_id)


class CustomerReviews:
    """``db.customer(user_id).reviews``: the customer's own reviews."""

    def __init__(self, unit: Components, user_id: UUID) -> None:
        self._unit = unit
        self._user_id = user_id
        self._own = unit.repository(CustomerReviewRepository)

    def submit(self, product_id: UUID, new: NewReview) -> Review:
        """Store the customer's PENDING review of the product."""
        return self._unit.reviews.submit(self._user_id, product_id, new)

    def vote(self, review_id: UUID, *, helpful: bool) -> Review:
        """The customer's helpful or not-helpful vote on an approved review of an ACTIVE
        product: one per customer and review, a second vote replaces the first."""
        return self._unit.reviews.vote(review_id, user_id=self._user_id, helpful=helpful)

    def get(self, review_id: UUID) -> Review:
        """The customer's own review; NotFoundError otherwise."""
        return self._own.get(review_id, user_id=self._user_id)
