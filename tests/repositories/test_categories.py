"""CategoryRepository on a real PostgreSQL: the tree, moves, renames, the reads of the
hierarchy and the products below a node. Each test runs in a rolled-back transaction (``tx``);
the race test has its own database (``db``)."""

from __future__ import annotations

import threading
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from shopdb import Database, Transaction
from shopdb.errors import (
    CategoryCycleError,
    ConflictError,
    ConstraintViolation,
    DomainError,
    InvalidCursor,
    InvalidInput,
    NotFoundError,
)
from shopdb.models import Category, CategoryRename, NewCategory
from tests.repositories.fixture_products import (
    insert_product,
    link_category,
    wait_until_someone_waits_for_a_lock,
)


def new(slug: str, parent: Category | None = None, order: int = 0) -> NewCategory:
    return NewCategory(
        name=slug.title(), slug=slug, parent_id=parent.id if parent else None, display_order=order
    )


@pytest.fixture
def shop(tx: Transaction) -> dict[str, Category]:
    """electronics > (phones > smartphones, laptops), books; phones before laptops."""
    c = tx.categories
    electronics = c.create(new("electronics"))
    phones = c.create(new("phones", electronics, 1))
    laptops = c.create(new("laptops", electronics, 2))
    smartphones = c.create(new("smartphones", phones))
    books = c.create(new("books", order=1))
    return {
        "electronics": electronics,
        "phones": phones,
        "laptops": laptops,
        "smartphones": smartphones,
        "books": books,
    }


def places(tx: Transaction) -> dict[str, tuple[int, str]]:
    return {c.slug: (c.level, c.path) for c in tx.categories.tree()}


# --- create, get -------------------------------------------------------------------------


def test_create_gives_a_root_level_0_and_a_child_its_parents_path(
    shop: dict[str, Category],
) -> None:
    assert (shop["electronics"].level, shop["electronics"].path) == (0, "electronics")
    assert (shop["smartphones"].level, shop["smartphones"].path) == (
        2,
        "electronics/phones/smartphones",
    )
    assert shop["smartphones"].parent_id == shop["phones"].id


def test_create_under_a_missing_parent_is_a_constraint_violation(tx: Transaction) -> None:
    with pytest.raises(ConstraintViolation) as refused, tx.savepoint() as sp:
        sp.categories.create(NewCategory(name="X", slug="x", parent_id=uuid4()))

    assert refused.value.constraint == "categories_parent_id_fkey"
    assert "parent category does not exist" in str(refused.value)


def test_a_taken_slug_is_a_conflict(tx: Transaction, shop: dict[str, Category]) -> None:
    with pytest.raises(ConflictError) as refused, tx.savepoint() as sp:
        sp.categories.create(new("books"))

    assert refused.value.constraint == "categories_slug_key"


@pytest.mark.parametrize(
    "fields",
    [{"slug": "Not A Slug"}, {"slug": ""}, {"name": ""}, {"name": "x" * 201}, {"name": "a\x00"}],
)
def test_new_category_refuses_what_the_schema_would(fields: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput) as caught:
        NewCategory(**{"name": "Name", "slug": "slug", **fields})

    assert [error["field"] for error in caught.value.errors] == list(fields)


def test_get_and_get_by_slug_find_the_category(tx: Transaction, shop: dict[str, Category]) -> None:
    assert tx.categories.get(shop["phones"].id) == shop["phones"]
    assert tx.categories.get_by_slug("phones") == shop["phones"]


def test_get_of_an_unknown_category_is_not_found(tx: Transaction) -> None:
    missing = uuid4()
    with pytest.raises(NotFoundError) as absent:
        tx.categories.get(missing)
    with pytest.raises(NotFoundError):
        tx.categories.get_by_slug("no-such-category")

    assert (absent.value.entity, absent.value.key) == ("category", missing)


# --- move ----------------------------------------------------------------------------------


def test_a_move_carries_the_subtree_with_new_levels_and_paths(
    tx: Transaction, shop: dict[str, Category]
) -> None:
    moved = tx.categories.move(shop["phones"].id, shop["books"].id)

    assert (moved.parent_id, moved.level, moved.path) == (shop["books"].id, 1, "books/phones")
    assert places(tx)["smartphones"] == (2, "books/phones/smartphones")
    assert places(tx)["laptops"] == (1, "electronics/laptops")


def test_a_move_to_none_makes_a_root(tx: Transaction, shop: dict[str, Category]) -> None:
    moved = tx.categories.move(shop["phones"].id, None)

    assert (moved.parent_id, moved.level, moved.path) == (None, 0, "phones")
    assert places(tx)["smartphones"] == (1, "phones/smartphones")


@pytest.mark.parametrize("target", ["phones", "smartphones"])
def test_a_move_under_itself_or_a_descendant_is_a_cycle_error_and_changes_nothing(
    tx: Transaction, shop: dict[str, Category], target: str
) -> None:
    before = places(tx)

    with pytest.raises(CategoryCycleError) as refused, tx.savepoint() as sp:
        sp.categories.move(shop["phones"].id, shop[target].id)

    assert isinstance(refused.value, DomainError)
    assert refused.value.constraint == "categories_parent_id_cycle_check"
    assert "cannot be moved under itself or one of its own descendants" in str(refused.value)
    assert places(tx) == before


def test_a_move_of_an_unknown_category_is_not_found(
    tx: Transaction, shop: dict[str, Category]
) -> None:
    with pytest.raises(NotFoundError):
        tx.categories.move(uuid4(), shop["books"].id)


def test_a_move_under_an_unknown_parent_is_a_constraint_violation(
    tx: Transaction, shop: dict[str, Category]
) -> None:
    with pytest.raises(ConstraintViolation) as refused, tx.savepoint() as sp:
        sp.categories.move(shop["phones"].id, uuid4())

    assert refused.value.constraint == "categories_parent_id_fkey"


def expected_places(tx: Transaction) -> dict[str, tuple[int, str]]:
    """Level and path recomputed in Python from the parents alone."""
    by_id = {c.id: c for c in tx.categories.tree()}

    def place(c: Category) -> tuple[int, str]:
        if c.parent_id is None:
            return 0, c.slug
        level, path = place(by_id[c.parent_id])
        return level + 1, f"{path}/{c.slug}"

    return {c.slug: place(c) for c in by_id.values()}


@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    parents=st.lists(st.integers(min_value=-1, max_value=7), min_size=8, max_size=8),
    moves=st.lists(
        st.tuples(st.integers(0, 7), st.integers(-1, 7) | st.none()), min_size=1, max_size=12
    ),
)
def test_level_and_path_follow_the_parents_after_any_sequence_of_moves(
    tx: Transaction, parents: list[int], moves: list[tuple[int, int | None]]
) -> None:
    class Undo(Exception):
        pass

    with pytest.raises(Undo), tx.savepoint() as example:
        nodes: list[Category] = []
        for i, parent in enumerate(parents):
            above = nodes[parent] if 0 <= parent < i else None
            nodes.append(example.categories.create(new(f"n{i}", above)))
        for node, target in moves:
            parent_id = None if target is None or target < 0 else nodes[target].id
            below = {c.id for c in example.categories.descendants(nodes[node].id)}
            if parent_id == nodes[node].id or parent_id in below:
                with pytest.raises(CategoryCycleError), example.savepoint() as step:
                    step.categories.move(nodes[node].id, parent_id)
            else:
                example.categories.move(nodes[node].id, parent_id)
            assert places(example) == expected_places(example)
        raise Undo


# --- rename -------------------------------------------------------------------------------


def test_a_rename_of_the_name_only_keeps_every_path(
    tx: Transaction, shop: dict[str, Category]
) -> None:
    before = places(tx)

    renamed = tx.categories.rename(shop["electronics"].id, CategoryRename(name="Tech"))

    assert (renamed.name, renamed.slug) == ("Tech", "electronics")
    assert places(tx) == before


def test_a_rename_with_a_slug_rewrites_the_subtrees_paths(
    tx: Transaction, shop: dict[str, Category]
) -> None:
    renamed = tx.categories.rename(shop["electronics"].id, CategoryRename(name="Tech", slug="tech"))

    assert renamed.path == "tech"
    assert places(tx)["smartphones"] == (2, "tech/phones/smartphones")
    assert places(tx)["books"] == (0, "books")


def test_a_rename_to_a_taken_slug_is_a_conflict(tx: Transaction, shop: dict[str, Category]) -> None:
    with pytest.raises(ConflictError), tx.savepoint() as sp:
        sp.categories.rename(shop["phones"].id, CategoryRename(name="Books", slug="books"))


def test_a_rename_of_an_unknown_category_is_not_found(tx: Transaction) -> None:
    with pytest.raises(NotFoundError):
        tx.categories.rename(uuid4(), CategoryRename(name="X"))
    with pytest.raises(NotFoundError):
        tx.categories.rename(uuid4(), CategoryRename(name="X", slug="x"))


# --- tree, ancestors, descendants -----------------------------------------------------------


def test_tree_lists_every_category_depth_first_in_display_order(
    tx: Transaction, shop: dict[str, Category]
) -> None:
    tree = tx.categories.tree()

    assert [c.path for c in tree] == [
        "electronics",
        "electronics/phones",
        "electronics/phones/smartphones",
        "electronics/laptops",
        "books",
    ]


def test_tree_is_one_query(db: Database) -> None:
    root = db.categories.create(new("root"))
    for i in range(5):
        db.categories.create(new(f"child-{i}", root))

    with db.capture_queries() as captured:
        tree = db.categories.tree()

    assert len(tree) == 6
    assert [q.name for q in captured] == ["categories.tree"]


def test_tree_of_an_empty_catalogue_is_empty(tx: Transaction) -> None:
    assert tx.categories.tree() == []


def test_ancestors_is_the_breadcrumb_from_the_root_to_the_category(
    tx: Transaction, shop: dict[str, Category]
) -> None:
    crumbs = tx.categories.ancestors(shop["smartphones"].id)

    assert [c.slug for c in crumbs] == ["electronics", "phones", "smartphones"]
    assert [c.slug for c in tx.categories.ancestors(shop["books"].id)] == ["books"]


def test_ancestors_of_an_unknown_category_is_not_found(tx: Transaction) -> None:
    with pytest.raises(NotFoundError):
        tx.categories.ancestors(uuid4())


def test_descendants_lists_the_subtree_depth_first_without_the_category(
    tx: Transaction, shop: dict[str, Category]
) -> None:
    below = tx.categories.descendants(shop["electronics"].id)

    assert [c.slug for c in below] == ["phones", "smartphones", "laptops"]
    assert tx.categories.descendants(shop["smartphones"].id) == []
    assert tx.categories.descendants(uuid4()) == []


# --- products_in ------------------------------------------------------------------------------


def test_products_in_includes_the_descendants_pages_newest_first_and_hides_deleted(
    tx: Transaction, shop: dict[str, Category]
) -> None:
    conn = tx.connection
    expected: list[UUID] = []
    for i, where in enumerate(["electronics", "phones", "smartphones", "laptops", "phones"]):
        product = insert_product(conn, f"p-{i}")
        link_category(conn, product, shop[where].id)
        expected.append(product)
    elsewhere = insert_product(conn, "in-books")
    link_category(conn, elsewhere, shop["books"].id)
    gone = insert_product(conn, "deleted", deleted=True)
    link_category(conn, gone, shop["phones"].id)
    twice = insert_product(conn, "twice")  # in two categories of the subtree: listed once
    link_category(conn, twice, shop["phones"].id)
    link_category(conn, twice, shop["laptops"].id)
    expected.append(twice)

    seen: list[UUID] = []
    page = tx.categories.products_in(shop["electronics"].id, limit=2)
    while True:
        assert len(page.items) <= 2
        seen += [p.id for p in page.items]
        if page.next_cursor is None:
            break
        page = tx.categories.products_in(shop["electronics"].id, limit=2, cursor=page.next_cursor)

    assert seen == sorted(expected, reverse=True)  # one transaction: same created_at, then id
    phones = tx.categories.products_in(shop["phones"].id, limit=50).items
    assert {p.slug for p in phones} == {"p-1", "p-2", "p-4", "twice"}


def test_products_in_filters_by_status(tx: Transaction, shop: dict[str, Category]) -> None:
    conn = tx.connection
    for slug, status in [("live", "ACTIVE"), ("draft", "DRAFT")]:
        link_category(conn, insert_product(conn, slug, status=status), shop["phones"].id)

    active = tx.categories.products_in(shop["electronics"].id, status="ACTIVE", limit=10)

    assert [p.slug for p in active.items] == ["live"]
    assert active.items[0].status == "ACTIVE"


def test_a_products_in_cursor_is_refused_for_another_category(
    tx: Transaction, shop: dict[str, Category]
) -> None:
    conn = tx.connection
    for i in range(3):
        link_category(conn, insert_product(conn, f"q-{i}"), shop["phones"].id)
    page = tx.categories.products_in(shop["phones"].id, limit=1)
    assert page.next_cursor is not None

    with pytest.raises(InvalidCursor):
        tx.categories.products_in(shop["books"].id, limit=1, cursor=page.next_cursor)
    with pytest.raises(InvalidCursor):
        tx.categories.products_in(shop["phones"].id, limit=1, cursor="garbage")


def test_products_in_an_unknown_or_empty_category_is_an_empty_page(
    tx: Transaction, shop: dict[str, Category]
) -> None:
    assert tx.categories.products_in(uuid4()).items == []
    assert tx.categories.products_in(shop["books"].id).items == []


# --- two connections -------------------------------------------------------------------------


def test_two_racing_moves_that_would_close_a_loop_leave_one_standing(db: Database) -> None:
    a = db.categories.create(new("a"))
    b = db.categories.create(new("b"))
    done = threading.Event()
    outcome: list[Exception | Category] = []

    def move_b_under_a() -> None:
        try:
            outcome.append(db.categories.move(b.id, a.id))
        except Exception as exc:
            outcome.append(exc)
        finally:
            done.set()

    with db.transaction() as first:
        first.categories.move(a.id, b.id)
        racer = threading.Thread(target=move_b_under_a)
        racer.start()
        wait_until_someone_waits_for_a_lock(db, done)
        assert not done.is_set()  # it waits for the first move's tree lock
    racer.join(timeout=10)

    assert len(outcome) == 1
    assert isinstance(outcome[0], CategoryCycleError)
    assert db.categories.get(a.id).path == "b/a"
    assert db.categories.get(b.id).parent_id is None
