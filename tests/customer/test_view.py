"""db.customer(user_id) and tx.customer(user_id): the same view on the pool and inside a
transaction."""

from __future__ import annotations

import pytest

from shopdb import Database
from shopdb.errors import NotFoundError, TransactionBypassed
from tests.repositories.fixture_orders import checkout_of, fill_cart, new_buyer, new_shop


def test_the_view_works_on_the_pool_and_inside_a_transaction(db: Database) -> None:
    with db.pool.connection() as conn:
        alice = new_shop(db, conn)
        mallory = new_buyer(db, conn, alice)
    placed = db.customer(alice.user_id).orders.place_from_cart(
        fill_cart(db, alice), checkout_of(alice)
    )

    assert db.customer(alice.user_id).orders.get(placed.order.id) == placed
    with pytest.raises(NotFoundError):
        db.customer(mallory.user_id).orders.get(placed.order.id)
    with db.transaction() as tx:
        assert tx.customer(alice.user_id).orders.get(placed.order.id) == placed
        with pytest.raises(TransactionBypassed):
            db.customer(alice.user_id).orders.get(placed.order.id)
