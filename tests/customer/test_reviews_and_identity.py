"""db.customer(user_id).reviews, .sessions and .api_keys: the customer's own rows only."""

from __future__ import annotations

import pytest

from shopdb import Transaction
from shopdb.customers import CustomerView
from shopdb.errors import NotFoundError
from shopdb.models import Actor, ActorType, NewApiKey, NewReview, NewSession
from tests.customer.conftest import product_of, row
from tests.repositories.fixture_orders import Shop


def test_the_customer_reads_only_their_own_reviews(
    tx: Transaction, mine: CustomerView, alice: Shop, mallory: Shop
) -> None:
    product = product_of(tx.connection, alice.variants[0])
    own = mine.reviews.submit(product, NewReview(rating=4, title="Bright"))
    theirs = tx.reviews.submit(mallory.user_id, product, NewReview(rating=1))

    assert own.user_id == alice.user_id
    assert mine.reviews.get(own.id) == own
    with pytest.raises(NotFoundError, match="review"):
        mine.reviews.get(theirs.id)


def test_another_customers_session_is_neither_touched_nor_revoked(
    tx: Transaction, mine: CustomerView, alice: Shop, mallory: Shop
) -> None:
    own = tx.sessions.create(NewSession(user_id=alice.user_id)).session
    theirs = tx.sessions.create(NewSession(user_id=mallory.user_id)).session
    before = row(tx.connection, "user_sessions", theirs.id)

    assert mine.sessions.touch(theirs.id) is False
    with pytest.raises(NotFoundError):
        mine.sessions.revoke(theirs.id)
    assert [s.id for s in mine.sessions.list_for_user().items] == [own.id]
    assert mine.sessions.revoke_all_for_user() == 1

    assert row(tx.connection, "user_sessions", theirs.id) == before
    assert mine.sessions.list_for_user().items == []


def test_another_customers_api_key_is_not_found_and_stays_active(
    tx: Transaction, mine: CustomerView, alice: Shop, mallory: Shop
) -> None:
    own = mine.api_keys.create(NewApiKey(name="mine")).api_key
    theirs = tx.api_keys.create(mallory.user_id, NewApiKey(name="theirs")).api_key
    actor = Actor(type=ActorType.USER, user_id=alice.user_id)
    before = row(tx.connection, "api_keys", theirs.id)

    with pytest.raises(NotFoundError):
        mine.api_keys.get_for_user(theirs.id)
    with pytest.raises(NotFoundError):
        mine.api_keys.revoke(theirs.id, actor)

    assert row(tx.connection, "api_keys", theirs.id) == before
    assert [k.id for k in mine.api_keys.list_for_user().items] == [own.id]
    assert mine.api_keys.get_for_user(own.id) == own
    assert mine.api_keys.revoke(own.id, actor).status == "REVOKED"


def test_the_customer_votes_as_themselves_once_per_review(
    tx: Transaction, mine: CustomerView, alice: Shop, mallory: Shop
) -> None:
    product = product_of(tx.connection, alice.variants[0])
    theirs = tx.reviews.submit(mallory.user_id, product, NewReview(rating=5, title="Great"))
    tx.reviews.approve(theirs.id)

    mine.reviews.vote(theirs.id, helpful=True)
    voted = mine.reviews.vote(theirs.id, helpful=False)

    assert (voted.helpful_count, voted.not_helpful_count) == (0, 1)
    votes = tx.connection.execute(
        "SELECT user_id, helpful FROM review_votes WHERE review_id = %s", [theirs.id]
    ).fetchall()
    assert votes == [(alice.user_id, False)]
