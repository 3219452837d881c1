"""The back office's collection operations against a real PostgreSQL: update, delete (the
memberships go, the products stay), the listing of every collection, and the audited reorder."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from shopdb import Transaction
from shopdb.errors import ConflictError, InvalidCursor, InvalidInput, NotFoundError
from shopdb.models import CollectionPatch, CollectionStatus, NewCollection
from tests.repositories.fixture_products import insert_product


def new(slug: str, status: CollectionStatus = CollectionStatus.DRAFT) -> NewCollection:
    return NewCollection(name=slug.title(), slug=slug, status=status)


def test_update_changes_only_the_fields_given(tx: Transaction) -> None:
    summer = tx.collections.create(NewCollection(name="Summer", slug="summer", description="Hot"))

    updated = tx.collections.update(
        summer.id, CollectionPatch(status=CollectionStatus.ACTIVE, description=None)
    )

    assert (updated.status, updated.description, updated.name, updated.slug) == (
        CollectionStatus.ACTIVE, None, "Summer", "summer",
    )  # fmt: skip
    assert tx.collections.get(summer.id) == updated


def test_update_to_a_taken_slug_is_a_conflict_and_changes_nothing(tx: Transaction) -> None:
    tx.collections.create(new("winter"))
    summer = tx.collections.create(new("summer"))

    with pytest.raises(ConflictError):
        tx.collections.update(summer.id, CollectionPatch(slug="winter", name="Winter"))

    assert tx.collections.get(summer.id) == summer


def test_update_of_an_unknown_collection_is_not_found(tx: Transaction) -> None:
    with pytest.raises(NotFoundError):
        tx.collections.update(uuid4(), CollectionPatch(name="Nothing"))


@pytest.mark.parametrize(
    "fields", [{"name": None}, {"slug": "Not A Slug"}, {"status": "LIVE"}, {"id": str(uuid4())}]
)
def test_collection_patch_refuses_bad_input(fields: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        CollectionPatch.model_validate(fields)


def test_delete_takes_the_collection_and_its_memberships_and_keeps_the_products(
    tx: Transaction,
) -> None:
    summer = tx.collections.create(new("summer"))
    product_id = insert_product(tx.connection)
    tx.collections.add_product(summer.id, product_id)

    tx.collections.delete(summer.id)

    with pytest.raises(NotFoundError):
        tx.collections.get(summer.id)
    left = tx.connection.execute(
        "SELECT count(*) FROM product_collections WHERE collection_id = %s", [summer.id]
    ).fetchone()
    assert left == (0,)
    assert tx.products.get(product_id).id == product_id


def test_delete_of_an_unknown_collection_is_not_found(tx: Transaction) -> None:
    with pytest.raises(NotFoundError):
        tx.collections.delete(uuid4())


def test_list_collections_pages_newest_first_and_filters_by_status(tx: Transaction) -> None:
    statuses = [CollectionStatus.ACTIVE, CollectionStatus.DRAFT, CollectionStatus.ACTIVE]
    made = [tx.collections.create(new(f"c-{uuid4().hex[:8]}", status)) for status in statuses]

    first = tx.collections.list_collections(limit=2)
    second = tx.collections.list_collections(limit=2, cursor=first.next_cursor)
    active = tx.collections.list_collections(status=CollectionStatus.ACTIVE, limit=10)

    assert [c.id for c in [*first.items, *second.items]] == [c.id for c in reversed(made)]
    assert second.next_cursor is None
    assert [c.id for c in active.items] == [made[2].id, made[0].id]
    with pytest.raises(InvalidCursor):
        tx.collections.list_collections(status=CollectionStatus.ACTIVE, cursor=first.next_cursor)


def test_a_reorder_that_keeps_the_order_records_no_entry(tx: Transaction) -> None:
    summer = tx.collections.create(new("summer"))
    products = [insert_product(tx.connection) for _ in range(2)]
    for product_id in products:
        tx.collections.add_product(summer.id, product_id)

    tx.collections.reorder(summer.id, products)

    history = tx.audit.history("collections", summer.id, limit=50).items
    assert [entry.action for entry in history if entry.action == "reorder"] == []
