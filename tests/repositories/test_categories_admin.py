"""The back office's category operations against a real PostgreSQL: update (no move), delete
(refused with CategoryNotEmpty while the category holds products or children), and the loop
rule of a move held by the database (categories_set_hierarchy and the CHECK of 0017)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from uuid import uuid4

import pytest

from shopdb import Database, Transaction
from shopdb.errors import (
    CategoryCycleError,
    CategoryNotEmpty,
    ConstraintViolation,
    InvalidInput,
    NotFoundError,
)
from shopdb.models import Category, CategoryPatch, NewCategory
from tests.repositories.fixture_products import (
    insert_product,
    link_category,
    wait_until_someone_waits_for_a_lock,
)


def new(slug: str, parent: Category | None = None) -> NewCategory:
    return NewCategory(name=slug.title(), slug=slug, parent_id=parent.id if parent else None)


def count_categories(tx: Transaction) -> int:
    row = tx.connection.execute("SELECT count(*) FROM categories").fetchone()
    assert row is not None
    return int(row[0])


# --- update -----------------------------------------------------------------------------------


def test_update_changes_only_the_fields_given(tx: Transaction) -> None:
    lamps = tx.categories.create(
        NewCategory(name="Lamps", slug="lamps", description="Old", icon_url="https://x/i.png")
    )

    updated = tx.categories.update(
        lamps.id, CategoryPatch(name="Lights", description=None, display_order=3)
    )

    assert (updated.name, updated.description, updated.display_order) == ("Lights", None, 3)
    assert (updated.slug, updated.path, updated.icon_url) == ("lamps", "lamps", "https://x/i.png")
    assert tx.categories.get(lamps.id) == updated


def test_update_never_moves_the_category_or_its_subtree(tx: Transaction) -> None:
    home = tx.categories.create(new("home"))
    lamps = tx.categories.create(new("lamps", home))

    tx.categories.update(home.id, CategoryPatch(name="House", display_order=9))

    assert (tx.categories.get(lamps.id).path, tx.categories.get(lamps.id).level) == (
        "home/lamps",
        1,
    )


@pytest.mark.parametrize(
    "fields",
    [
        {"name": None},
        {"name": ""},
        {"display_order": None},
        {"slug": "moved"},
        {"parent_id": None},
        {"image_url": "x" * 3000},
    ],
)
def test_category_patch_refuses_what_update_does_not_change(fields: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        CategoryPatch.model_validate(fields)


def test_update_of_an_unknown_category_is_not_found(tx: Transaction) -> None:
    with pytest.raises(NotFoundError):
        tx.categories.update(uuid4(), CategoryPatch(name="X"))


# --- delete -----------------------------------------------------------------------------------


def test_delete_removes_an_empty_category(tx: Transaction) -> None:
    lamps = tx.categories.create(new("lamps"))

    tx.categories.delete(lamps.id)

    with pytest.raises(NotFoundError):
        tx.categories.get(lamps.id)


def test_a_category_with_products_is_not_deleted(tx: Transaction) -> None:
    lamps = tx.categories.create(new("lamps"))
    link_category(tx.connection, insert_product(tx.connection), lamps.id)
    before = count_categories(tx)

    with pytest.raises(CategoryNotEmpty) as caught:
        tx.categories.delete(lamps.id)

    assert (caught.value.products, caught.value.children) == (1, 0)
    assert count_categories(tx) == before
    assert tx.categories.get(lamps.id) == lamps


def test_a_category_with_children_is_not_deleted(tx: Transaction) -> None:
    home = tx.categories.create(new("home"))
    tx.categories.create(new("lamps", home))

    with pytest.raises(CategoryNotEmpty) as caught:
        tx.categories.delete(home.id)

    assert (caught.value.products, caught.value.children) == (0, 1)
    assert tx.categories.get(home.id) == home


def test_delete_of_an_unknown_category_is_not_found(tx: Transaction) -> None:
    lamps = tx.categories.create(new("lamps"))
    tx.categories.delete(lamps.id)

    with pytest.raises(NotFoundError):
        tx.categories.delete(lamps.id)


def test_a_product_linked_while_the_delete_waits_refuses_it_on_the_foreign_key(
    db: Database,
) -> None:
    """The delete's own NOT EXISTS misses a link not committed yet; the foreign key of
    product_categories (ON DELETE RESTRICT) then refuses the delete, as CategoryNotEmpty."""
    lamps = db.categories.create(new("lamps"))
    product = db.products.get(insert_product_committed(db))
    linked, deleted = threading.Event(), threading.Event()
    outcome: list[BaseException | None] = []

    def link() -> None:
        with db.transaction() as tx:
            link_category(tx.connection, product.id, lamps.id)
            linked.set()
            wait_until_someone_waits_for_a_lock(db, deleted)  # the delete, on our key share

    def delete() -> None:
        linked.wait(5)
        try:
            db.categories.delete(lamps.id)
            outcome.append(None)
        except CategoryNotEmpty as exc:
            outcome.append(exc)
        deleted.set()

    with ThreadPoolExecutor(2) as pool:
        for future in [pool.submit(link), pool.submit(delete)]:
            future.result(timeout=30)

    assert isinstance(outcome[0], CategoryNotEmpty)
    assert outcome[0].constraint == "product_categories_category_id_fkey"
    assert db.categories.get(lamps.id) == lamps


def insert_product_committed(db: Database) -> Any:
    with db.transaction() as tx:
        return insert_product(tx.connection)


# --- move: the loop rule is the database's ------------------------------------------------------


def test_a_loop_written_with_plain_sql_is_refused_by_the_database(tx: Transaction) -> None:
    home = tx.categories.create(new("home"))
    lamps = tx.categories.create(new("lamps", home))

    with pytest.raises(CategoryCycleError) as caught, tx.savepoint():
        tx.connection.execute(
            "UPDATE categories SET parent_id = %s WHERE id = %s", [lamps.id, home.id]
        )

    assert caught.value.constraint == "categories_parent_id_cycle_check"  # the trigger's refusal
    with pytest.raises(CategoryCycleError) as typed:
        tx.categories.move(home.id, lamps.id)
    assert isinstance(typed.value, ConstraintViolation)
    assert typed.value.constraint == "categories_parent_id_cycle_check"
    assert tx.categories.get(home.id).parent_id is None
