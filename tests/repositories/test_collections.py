"""CollectionRepository on a real PostgreSQL: collections, their members in display order,
and reorder as one unit of work. ``tx`` by default; ``db`` for the race."""

from __future__ import annotations

import threading
from uuid import UUID, uuid4

import pytest

from shopdb import Database, Transaction
from shopdb.errors import (
    CollectionOrderError,
    ConflictError,
    ConstraintViolation,
    InvalidCursor,
    InvalidInput,
    NotFoundError,
)
from shopdb.models import Collection, CollectionStatus, NewCollection
from tests.repositories.fixture_products import insert_product


@pytest.fixture
def summer(tx: Transaction) -> Collection:
    return tx.collections.create(NewCollection(name="Summer sale", slug="summer-sale"))


@pytest.fixture
def products(tx: Transaction) -> list[UUID]:
    return [insert_product(tx.connection, f"item-{i}") for i in range(4)]


def order_of(tx: Transaction, collection: Collection) -> list[UUID]:
    return [p.product_id for p in tx.collections.list_products(collection.id, limit=500).items]


def test_create_stores_the_collection_with_defaults(summer: Collection) -> None:
    assert (summer.name, summer.slug, summer.status, summer.display_order) == (
        "Summer sale",
        "summer-sale",
        CollectionStatus.DRAFT,
        0,
    )


def test_get_and_get_by_slug_find_it_and_unknown_ones_are_not_found(
    tx: Transaction, summer: Collection
) -> None:
    assert tx.collections.get(summer.id) == summer
    assert tx.collections.get_by_slug("summer-sale") == summer
    with pytest.raises(NotFoundError):
        tx.collections.get(uuid4())
    with pytest.raises(NotFoundError):
        tx.collections.get_by_slug("winter")


def test_a_taken_slug_is_a_conflict(tx: Transaction, summer: Collection) -> None:
    with pytest.raises(ConflictError) as refused, tx.savepoint() as sp:
        sp.collections.create(NewCollection(name="Again", slug="summer-sale"))

    assert "a collection with this slug already exists" in str(refused.value)


@pytest.mark.parametrize("fields", [{"slug": "Bad Slug"}, {"name": ""}, {"status": "HIDDEN"}])
def test_new_collection_refuses_bad_input(fields: dict[str, str]) -> None:
    with pytest.raises(InvalidInput) as caught:
        NewCollection(**{"name": "N", "slug": "n", **fields})

    assert [error["field"] for error in caught.value.errors] == list(fields)


def test_add_product_appends_after_the_last_member_unless_told(
    tx: Transaction, summer: Collection, products: list[UUID]
) -> None:
    first = tx.collections.add_product(summer.id, products[0])
    second = tx.collections.add_product(summer.id, products[1])
    placed = tx.collections.add_product(summer.id, products[2], display_order=10)
    last = tx.collections.add_product(summer.id, products[3])

    assert [m.display_order for m in (first, second, placed, last)] == [0, 1, 10, 11]
    assert order_of(tx, summer) == products


def test_adding_a_product_twice_is_a_conflict(
    tx: Transaction, summer: Collection, products: list[UUID]
) -> None:
    tx.collections.add_product(summer.id, products[0])

    with pytest.raises(ConflictError) as refused, tx.savepoint() as sp:
        sp.collections.add_product(summer.id, products[0])

    assert "already in this collection" in str(refused.value)


def test_adding_to_an_unknown_collection_or_an_unknown_product_is_refused(
    tx: Transaction, summer: Collection, products: list[UUID]
) -> None:
    with pytest.raises(NotFoundError) as no_collection:
        tx.collections.add_product(uuid4(), products[0])
    with pytest.raises(ConstraintViolation) as no_product, tx.savepoint() as sp:
        sp.collections.add_product(summer.id, uuid4())

    assert no_collection.value.entity == "collection"
    assert no_product.value.constraint == "product_collections_product_id_fkey"


def test_remove_product_takes_it_out_and_a_non_member_is_not_found(
    tx: Transaction, summer: Collection, products: list[UUID]
) -> None:
    for product in products[:2]:
        tx.collections.add_product(summer.id, product)

    tx.collections.remove_product(summer.id, products[0])

    assert order_of(tx, summer) == [products[1]]
    with pytest.raises(NotFoundError):
        tx.collections.remove_product(summer.id, products[0])


def test_list_products_pages_in_display_order_and_hides_deleted_products(
    tx: Transaction, summer: Collection, products: list[UUID]
) -> None:
    gone = insert_product(tx.connection, "gone", deleted=True)
    for product in [*products, gone]:
        tx.collections.add_product(summer.id, product, display_order=0)  # ties: by product id

    first = tx.collections.list_products(summer.id, limit=3)
    assert first.next_cursor is not None
    rest = tx.collections.list_products(summer.id, limit=3, cursor=first.next_cursor)

    assert [p.product_id for p in [*first.items, *rest.items]] == sorted(products)
    assert rest.next_cursor is None
    assert first.items[0].title.startswith("Item")


def test_a_list_products_cursor_is_refused_for_another_collection(
    tx: Transaction, summer: Collection, products: list[UUID]
) -> None:
    other = tx.collections.create(NewCollection(name="Other", slug="other"))
    for product in products:
        tx.collections.add_product(summer.id, product)
    page = tx.collections.list_products(summer.id, limit=1)
    assert page.next_cursor is not None

    with pytest.raises(InvalidCursor):
        tx.collections.list_products(other.id, cursor=page.next_cursor)


def test_reorder_puts_the_products_in_the_order_given(
    tx: Transaction, summer: Collection, products: list[UUID]
) -> None:
    for product in products:
        tx.collections.add_product(summer.id, product)
    wanted = [products[2], products[0], products[3], products[1]]

    tx.collections.reorder(summer.id, wanted)

    listed = tx.collections.list_products(summer.id).items
    assert [p.product_id for p in listed] == wanted
    assert [p.display_order for p in listed] == [0, 1, 2, 3]


@pytest.mark.parametrize(
    "mistake", ["one missing", "a stranger", "a duplicate", "a deleted member"]
)
def test_a_reorder_that_does_not_list_each_member_once_changes_nothing(
    tx: Transaction, summer: Collection, products: list[UUID], mistake: str
) -> None:
    gone = insert_product(tx.connection, "gone", deleted=True)
    for product in [*products, gone]:
        tx.collections.add_product(summer.id, product)
    before = order_of(tx, summer)
    wanted = {
        "one missing": products[1:],
        "a stranger": [*products[::-1], uuid4()],
        "a duplicate": [*products, products[0]],
        "a deleted member": [*products[::-1], gone],
    }[mistake]

    with pytest.raises(CollectionOrderError):
        tx.collections.reorder(summer.id, wanted)

    assert order_of(tx, summer) == before  # and the transaction goes on


def test_a_reorder_of_an_unknown_collection_is_not_found(tx: Transaction) -> None:
    with pytest.raises(NotFoundError):
        tx.collections.reorder(uuid4(), [])


def test_a_reorder_of_an_empty_collection_with_no_products_is_fine(
    tx: Transaction, summer: Collection
) -> None:
    tx.collections.reorder(summer.id, [])

    assert order_of(tx, summer) == []


def test_two_racing_reorders_leave_one_of_the_two_orders_whole(db: Database) -> None:
    collection = db.collections.create(NewCollection(name="Race", slug="race"))
    with db.pool.connection() as conn:
        products = [insert_product(conn, f"r-{i}") for i in range(20)]
    for product in products:
        db.collections.add_product(collection.id, product)
    orders = [products[::-1], products[10:] + products[:10]]
    start = threading.Barrier(2, timeout=10)
    errors: list[Exception] = []

    def reorder(order: list[UUID]) -> None:
        try:
            start.wait()
            db.collections.reorder(collection.id, order)
        except Exception as exc:
            errors.append(exc)

    for _ in range(5):
        threads = [threading.Thread(target=reorder, args=(o,)) for o in orders]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=10)
        listed = [p.product_id for p in db.collections.list_products(collection.id).items]
        assert errors == []
        assert listed in orders
