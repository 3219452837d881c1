"""The rules kept by triggers and generated columns: updated_at, the category tree, the coupon
usage counter, inventory availability and the product search document."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import psycopg
import pytest
from psycopg import sql

from shopdb import Database, Transaction
from shopdb.core.errors import ConflictError, ConstraintViolation, SerializationFailure, translate
from shopdb.errors import CategoryCycleError, CouponUnavailable
from shopdb.repositories.categories import CategoryRepository
from shopdb.testing import url_of
from tests.schema.catalog import tables
from tests.schema.rows import Rows
from tests.schema.support import primary_key, refused

LONG_AGO = datetime.fromisoformat("2000-01-01T00:00:00+00:00")


# category_tree_version holds exactly the one row its migration inserts, so the row builder
# cannot make another; its updated_at is checked with the category tree below.
ONE_ROW_TABLES = ("category_tree_version",)


def test_the_row_builder_knows_every_table(conn: psycopg.Connection[Any]) -> None:
    assert sorted([*Rows.TABLES, *ONE_ROW_TABLES]) == tables(conn)


# audit_logs is append-only (0040): no UPDATE reaches its updated_at trigger.
UPDATABLE = [table for table in Rows.TABLES if table != "audit_logs"]


@pytest.mark.parametrize("table", UPDATABLE)
def test_an_update_sets_updated_at_to_the_time_of_the_change(
    conn: psycopg.Connection[Any], rows: Rows, table: str
) -> None:
    row = rows.insert(table)
    key = primary_key(conn, table)
    where = sql.SQL(" AND ").join(sql.SQL("{} = %s").format(sql.Identifier(c)) for c in key)

    updated = conn.execute(
        sql.SQL("UPDATE {} SET updated_at = %s WHERE {} RETURNING updated_at, created_at").format(
            sql.Identifier(table), where
        ),
        [LONG_AGO, *(row[c] for c in key)],
    ).fetchall()

    assert len(updated) == 1
    updated_at, created_at = updated[0]
    assert updated_at > created_at > LONG_AGO


@pytest.mark.parametrize("table", UPDATABLE)
def test_a_no_op_update_leaves_updated_at_alone(
    conn: psycopg.Connection[Any], rows: Rows, table: str
) -> None:
    # Tables with generated columns (products, inventory) pass their names to the trigger.
    row = rows.insert(table, updated_at=LONG_AGO)
    key = primary_key(conn, table)
    where = sql.SQL(" AND ").join(sql.SQL("{} = %s").format(sql.Identifier(c)) for c in key)

    again = conn.execute(
        sql.SQL("UPDATE {} SET created_at = created_at WHERE {} RETURNING updated_at").format(
            sql.Identifier(table), where
        ),
        [*(row[c] for c in key)],
    ).fetchall()

    assert again == [(LONG_AGO,)]


# The category tree: level and path follow the parent; no category is its own ancestor.


def category(conn: psycopg.Connection[Any], id_: Any) -> tuple[Any, ...]:
    """(parent_id, level, path) of one category."""
    row = conn.execute(
        "SELECT parent_id, level, path FROM categories WHERE id = %s", [id_]
    ).fetchone()
    assert row is not None
    return tuple(row)


@pytest.fixture
def tree(rows: Rows) -> dict[str, Any]:
    """electronics > phones > android, and a separate root: books."""
    electronics = rows.id("categories", slug="electronics")
    phones = rows.id("categories", slug="phones", parent_id=electronics)
    android = rows.id("categories", slug="android", parent_id=phones)
    books = rows.id("categories", slug="books")
    return {"electronics": electronics, "phones": phones, "android": android, "books": books}


def test_a_category_gets_its_level_and_path_from_its_parent(
    conn: psycopg.Connection[Any], tree: dict[str, Any]
) -> None:
    assert category(conn, tree["electronics"]) == (None, 0, "electronics")
    assert category(conn, tree["phones"]) == (tree["electronics"], 1, "electronics/phones")
    assert category(conn, tree["android"]) == (tree["phones"], 2, "electronics/phones/android")


def test_moving_a_category_moves_its_whole_subtree(
    conn: psycopg.Connection[Any], tree: dict[str, Any]
) -> None:
    conn.execute(
        "UPDATE categories SET parent_id = %s WHERE id = %s", [tree["books"], tree["phones"]]
    )

    assert category(conn, tree["phones"]) == (tree["books"], 1, "books/phones")
    assert category(conn, tree["android"]) == (tree["phones"], 2, "books/phones/android")


def test_renaming_a_slug_renames_the_paths_below_it(
    conn: psycopg.Connection[Any], tree: dict[str, Any]
) -> None:
    conn.execute("UPDATE categories SET slug = 'tech' WHERE id = %s", [tree["electronics"]])

    assert category(conn, tree["android"])[2] == "tech/phones/android"


def test_level_and_path_cannot_be_set_by_hand(
    conn: psycopg.Connection[Any], tree: dict[str, Any]
) -> None:
    conn.execute(
        "UPDATE categories SET level = 7, path = 'made/up' WHERE id = %s", [tree["phones"]]
    )

    assert category(conn, tree["phones"]) == (tree["electronics"], 1, "electronics/phones")


@pytest.mark.parametrize("under", ["android", "phones", "electronics"])
def test_a_category_cannot_be_moved_under_itself_or_its_descendants(
    conn: psycopg.Connection[Any], tree: dict[str, Any], under: str
) -> None:
    before = category(conn, tree["electronics"])

    error = refused(
        conn,
        lambda: conn.execute(
            "UPDATE categories SET parent_id = %s WHERE id = %s",
            [tree[under], tree["electronics"]],
        ),
    )

    assert isinstance(error, ConstraintViolation)
    assert error.constraint == "categories_parent_id_cycle_check"
    assert error.table == "categories"
    assert category(conn, tree["electronics"]) == before


def test_a_new_category_cannot_be_its_own_parent(conn: psycopg.Connection[Any], rows: Rows) -> None:
    id_ = conn.execute("SELECT uuid_generate_v7()").fetchone()[0]  # type: ignore[index]

    error = refused(conn, lambda: rows.insert("categories", id=id_, parent_id=id_))

    assert isinstance(error, ConstraintViolation)
    assert error.constraint == "categories_parent_id_cycle_check"
    assert conn.execute("SELECT 1 FROM categories WHERE id = %s", [id_]).fetchone() is None


def test_a_category_with_subcategories_cannot_be_deleted(
    conn: psycopg.Connection[Any], tree: dict[str, Any]
) -> None:
    error = refused(
        conn, lambda: conn.execute("DELETE FROM categories WHERE id = %s", [tree["phones"]])
    )

    assert isinstance(error, ConstraintViolation)
    assert error.constraint == "categories_parent_id_fkey"
    assert category(conn, tree["android"])[0] == tree["phones"]


def test_a_loop_already_in_the_tree_is_refused_rather_than_walked_for_ever(
    conn: psycopg.Connection[Any], tree: dict[str, Any]
) -> None:
    # The triggers never let a loop in; force one (rolled back with the test) to prove that the
    # walk up the ancestors stops at it.
    conn.execute("SET LOCAL statement_timeout = '5s'")
    conn.execute("ALTER TABLE categories DISABLE TRIGGER categories_set_hierarchy")
    conn.execute(
        "UPDATE categories SET parent_id = %s WHERE id = %s", [tree["android"], tree["electronics"]]
    )
    conn.execute("ALTER TABLE categories ENABLE TRIGGER categories_set_hierarchy")

    error = refused(
        conn,
        lambda: conn.execute(
            "UPDATE categories SET parent_id = %s WHERE id = %s", [tree["phones"], tree["books"]]
        ),
    )

    assert isinstance(error, ConstraintViolation)
    assert error.constraint == "categories_parent_id_cycle_check"


def tree_version(conn: psycopg.Connection[Any]) -> tuple[int, datetime]:
    """(version, updated_at) of the one row of category_tree_version."""
    found = conn.execute("SELECT version, updated_at FROM category_tree_version").fetchall()
    assert len(found) == 1
    return int(found[0][0]), found[0][1]


def test_every_change_of_the_tree_and_only_those_updates_the_tree_version(
    conn: psycopg.Connection[Any], tree: dict[str, Any]
) -> None:
    conn.execute("UPDATE category_tree_version SET updated_at = %s", [LONG_AGO])
    changes = [
        ("INSERT INTO categories (name, slug) VALUES ('Toys', 'toys')", True),
        ("UPDATE categories SET slug = 'tech' WHERE slug = 'electronics'", True),
        (
            """UPDATE categories SET parent_id = (SELECT id FROM categories WHERE slug = 'books')
                WHERE slug = 'phones'""",
            True,
        ),
        ("UPDATE categories SET level = 9 WHERE slug = 'books'", True),
        ("UPDATE categories SET name = 'Novels', display_order = 2 WHERE slug = 'books'", False),
        ("DELETE FROM categories WHERE slug = 'toys'", False),
    ]
    for statement, changes_the_tree in changes:
        before, _ = tree_version(conn)
        conn.execute(statement)
        after, updated_at = tree_version(conn)
        assert (after > before) == changes_the_tree, statement
    assert updated_at > LONG_AGO


def test_the_tree_version_has_one_row(conn: psycopg.Connection[Any]) -> None:
    error = refused(conn, lambda: conn.execute("INSERT INTO category_tree_version DEFAULT VALUES"))

    assert isinstance(error, ConflictError)
    assert error.constraint == "category_tree_version_pkey"


def test_without_the_tree_version_row_the_tree_cannot_be_changed(
    conn: psycopg.Connection[Any], rows: Rows
) -> None:
    conn.execute("DELETE FROM category_tree_version")

    with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState), conn.transaction():
        rows.insert("categories")


# Two transactions that together would close a loop: a is moved under b while b is moved under
# a. At every isolation level one of them must be refused, with the loop reported
# (check_violation) or the transaction refused as stale (serialization_failure, retried by
# db.run_in_transaction). "waiting": the second move waits for the first transaction, then
# goes on; "stale": the second transaction took its snapshot before the first committed.

LEVELS = {
    "read committed": (psycopg.IsolationLevel.READ_COMMITTED, "23514"),
    "repeatable read": (psycopg.IsolationLevel.REPEATABLE_READ, "40001"),
    "serializable": (psycopg.IsolationLevel.SERIALIZABLE, "40001"),
}


def two_roots(conn: psycopg.Connection[Any]) -> tuple[Any, Any]:
    """Two committed root categories, a and b."""
    conn.autocommit = True
    rows = Rows(conn)
    return rows.id("categories", slug="a"), rows.id("categories", slug="b")


def move(conn: psycopg.Connection[Any], category_id: Any, parent_id: Any) -> None:
    conn.execute("UPDATE categories SET parent_id = %s WHERE id = %s", [parent_id, category_id])


def parents(conn: psycopg.Connection[Any]) -> dict[str, str | None]:
    """slug -> slug of the parent, of every category (committed state)."""
    found = conn.execute(
        """SELECT c.slug, p.slug FROM categories c LEFT JOIN categories p ON p.id = c.parent_id
            ORDER BY c.slug"""
    ).fetchall()
    return dict(found)


def wait_until_blocked(admin: psycopg.Connection[Any], pid: int) -> None:
    """Return once the backend ``pid`` waits for a lock (fail after 10 s)."""
    for _ in range(1000):
        row = admin.execute(
            "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid]
        ).fetchone()
        if row is not None and row[0] == "Lock":
            return
        time.sleep(0.01)
    raise AssertionError(f"backend {pid} never waited for a lock")


def race(
    postgresql: psycopg.Connection[Any],
    isolation: Any,
    order: str,
    first: Callable[[psycopg.Connection[Any]], object],
    second: Callable[[psycopg.Connection[Any]], object],
) -> list[psycopg.Error | None]:
    """Run ``first`` then ``second`` on two connections that took their snapshots together.

    ``order`` "waiting": ``second`` runs while ``first`` is still open and waits for its lock;
    "stale": ``second`` runs after ``first`` committed. Returns the second one's outcome.
    """
    dsn = url_of(postgresql.info)
    outcome: list[psycopg.Error | None] = []
    with psycopg.connect(dsn) as one, psycopg.connect(dsn) as two:
        for session in (one, two):
            session.isolation_level = isolation
            session.execute("SELECT count(*) FROM categories")  # the snapshot, at RR and above

        def run_second() -> None:
            try:
                second(two)
                two.commit()
                outcome.append(None)
            except psycopg.Error as exc:
                two.rollback()
                outcome.append(exc)

        first(one)
        if order == "waiting":
            runner = threading.Thread(target=run_second)
            runner.start()
            wait_until_blocked(postgresql, two.info.backend_pid)
            one.commit()
            runner.join(timeout=10)
        else:
            one.commit()
            run_second()
    return outcome


@pytest.mark.parametrize("order", ["waiting", "stale"])
@pytest.mark.parametrize("level", list(LEVELS))
def test_two_concurrent_moves_cannot_close_a_loop(
    postgresql: psycopg.Connection[Any], level: str, order: str
) -> None:
    isolation, sqlstate = LEVELS[level]
    a, b = two_roots(postgresql)

    outcome = race(
        postgresql,
        isolation,
        order,
        first=lambda conn: move(conn, a, b),
        second=lambda conn: move(conn, b, a),
    )

    assert len(outcome) == 1
    error = outcome[0]
    assert error is not None, f"both moves committed: {parents(postgresql)}"
    assert error.sqlstate == sqlstate
    shopdb_error = translate(error, "categories.move", rules=CategoryRepository.constraint_rules())
    if sqlstate == "23514":
        assert isinstance(shopdb_error, ConstraintViolation)
        assert shopdb_error.constraint == "categories_parent_id_cycle_check"
    else:
        assert isinstance(shopdb_error, SerializationFailure)
    assert parents(postgresql) == {"a": "b", "b": None}


def test_through_shopdb_a_stale_move_is_retried_then_reported_as_a_loop(db: Database) -> None:
    with db.pool.connection() as admin:
        a, b = two_roots(admin)
    errors: list[Exception] = []

    def move_b_under_a(tx: Transaction) -> None:
        tx.connection.execute("SELECT count(*) FROM categories")  # the snapshot
        if not errors:
            with db.pool.connection() as other:  # autocommit: a under b, committed meanwhile
                move(other, a, b)
        try:
            move(tx.connection, b, a)
        except psycopg.Error as exc:
            errors.append(
                translate(exc, "categories.move", rules=CategoryRepository.constraint_rules())
            )
            raise

    with pytest.raises(ConstraintViolation) as refused_move:
        db.run_in_transaction(move_b_under_a, isolation=psycopg.IsolationLevel.REPEATABLE_READ)

    assert [type(e) for e in errors] == [SerializationFailure, CategoryCycleError]
    assert refused_move.value.constraint == "categories_parent_id_cycle_check"
    with db.pool.connection() as admin:
        assert parents(admin) == {"a": "b", "b": None}


# A hierarchy change (rename or move) racing an insert below the subtree it changes. The path
# of every committed category must be the one its parents give it, at every isolation level:
# under READ COMMITTED the later statement waits and sees the other's rows; under REPEATABLE
# READ and SERIALIZABLE the transaction whose snapshot predates the other's commit is refused
# (40001), to be retried. "stale": the change, or the insert, took its snapshot before the other
# transaction committed; "waiting": it also ran its statement while the other was uncommitted.

HIERARCHY_CHANGES = {
    # tree: electronics > phones, books; the insert adds x under phones.
    "rename": ("UPDATE categories SET slug = 'tech' WHERE slug = 'electronics'", "tech/phones/x"),
    "move": (
        """UPDATE categories SET parent_id = (SELECT id FROM categories WHERE slug = 'books')
            WHERE slug = 'phones'""",
        "books/phones/x",
    ),
}
INSERT_X = """INSERT INTO categories (name, slug, parent_id)
              SELECT 'X', 'x', id FROM categories WHERE slug = 'phones'"""


def small_tree(conn: psycopg.Connection[Any]) -> None:
    """Committed categories: electronics > phones, and books."""
    conn.autocommit = True
    rows = Rows(conn)
    electronics = rows.id("categories", slug="electronics")
    rows.id("categories", slug="phones", parent_id=electronics)
    rows.id("categories", slug="books")


def wrong_paths(conn: psycopg.Connection[Any]) -> list[tuple[Any, ...]]:
    """(slug, level, path, expected level, expected path) of each committed category whose
    level or path is not the one recomputed from the parents; [] when the tree is consistent."""
    found = conn.execute(
        """WITH RECURSIVE expected (id, level, path) AS (
               SELECT id, 0, slug FROM categories WHERE parent_id IS NULL
               UNION ALL
               SELECT c.id, e.level + 1, e.path || '/' || c.slug
                 FROM categories c JOIN expected e ON c.parent_id = e.id)
           SELECT c.slug, c.level, c.path, e.level, e.path
             FROM categories c LEFT JOIN expected e ON e.id = c.id
            WHERE (c.level, c.path) IS DISTINCT FROM (e.level, e.path)
            ORDER BY c.slug"""
    ).fetchall()
    return [tuple(row) for row in found]


def path_of(conn: psycopg.Connection[Any], slug: str) -> str | None:
    """The stored path of the category ``slug`` (None if there is none)."""
    row = conn.execute("SELECT path FROM categories WHERE slug = %s", [slug]).fetchone()
    return None if row is None else str(row[0])


@pytest.mark.parametrize("stale", ["change", "insert"])
@pytest.mark.parametrize("order", ["waiting", "stale"])
@pytest.mark.parametrize("level", list(LEVELS))
@pytest.mark.parametrize("change", list(HIERARCHY_CHANGES))
def test_a_hierarchy_change_and_an_insert_below_it_never_leave_a_stale_path(
    postgresql: psycopg.Connection[Any], change: str, level: str, order: str, stale: str
) -> None:
    isolation = LEVELS[level][0]
    change_sql, x_path = HIERARCHY_CHANGES[change]
    first_sql, second_sql = (INSERT_X, change_sql) if stale == "change" else (change_sql, INSERT_X)
    small_tree(postgresql)

    outcome = race(
        postgresql,
        isolation,
        order,
        first=lambda conn: conn.execute(first_sql),
        second=lambda conn: conn.execute(second_sql),
    )

    assert len(outcome) == 1
    if level == "read committed":
        assert outcome[0] is None
        assert path_of(postgresql, "x") == x_path
    else:
        error = outcome[0]
        assert error is not None, f"the stale transaction committed: {wrong_paths(postgresql)}"
        assert error.sqlstate == "40001"
        assert isinstance(
            translate(error, f"categories.{change}", rules=CategoryRepository.constraint_rules()),
            SerializationFailure,
        )
        # Only the first transaction's work stands: x as inserted, or no x.
        assert path_of(postgresql, "x") == ("electronics/phones/x" if stale == "change" else None)
    assert wrong_paths(postgresql) == []


@pytest.mark.parametrize(
    "isolation",
    [psycopg.IsolationLevel.REPEATABLE_READ, psycopg.IsolationLevel.SERIALIZABLE],
    ids=["repeatable read", "serializable"],
)
@pytest.mark.parametrize("change", list(HIERARCHY_CHANGES))
def test_through_shopdb_a_stale_hierarchy_change_is_retried_and_paths_are_right(
    db: Database, change: str, isolation: psycopg.IsolationLevel
) -> None:
    change_sql, x_path = HIERARCHY_CHANGES[change]
    with db.pool.connection() as admin:
        small_tree(admin)
    errors: list[Exception] = []

    def change_the_tree(tx: Transaction) -> None:
        tx.connection.execute("SELECT count(*) FROM categories")  # the snapshot
        if not errors:
            with db.pool.connection() as other:  # autocommit: x under phones, committed meanwhile
                other.execute(INSERT_X)
        try:
            tx.connection.execute(change_sql)
        except psycopg.Error as exc:
            errors.append(
                translate(exc, f"categories.{change}", rules=CategoryRepository.constraint_rules())
            )
            raise

    db.run_in_transaction(change_the_tree, isolation=isolation)

    assert [type(e) for e in errors] == [SerializationFailure]
    with db.pool.connection() as admin:
        assert path_of(admin, "x") == x_path
        assert wrong_paths(admin) == []


# Coupons: usage_count follows coupon_usages, and the limit holds.


def usage_count(conn: psycopg.Connection[Any], coupon: Any) -> int:
    """coupons.usage_count of one coupon."""
    row = conn.execute("SELECT usage_count FROM coupons WHERE id = %s", [coupon]).fetchone()
    assert row is not None
    return int(row[0])


def test_usage_count_follows_the_usages_of_a_coupon(
    conn: psycopg.Connection[Any], rows: Rows
) -> None:
    coupon, other = rows.id("coupons"), rows.id("coupons")
    first = rows.insert("coupon_usages", coupon_id=coupon)
    rows.insert("coupon_usages", coupon_id=coupon)
    assert usage_count(conn, coupon) == 2

    conn.execute("DELETE FROM coupon_usages WHERE id = %s", [first["id"]])
    assert usage_count(conn, coupon) == 1

    conn.execute("UPDATE coupon_usages SET coupon_id = %s WHERE coupon_id = %s", [other, coupon])
    assert (usage_count(conn, coupon), usage_count(conn, other)) == (0, 1)


def test_a_usage_beyond_the_limit_is_refused_and_not_written(
    conn: psycopg.Connection[Any], rows: Rows
) -> None:
    coupon = rows.id("coupons", usage_limit=1)
    rows.insert("coupon_usages", coupon_id=coupon)
    extra = rows.values("coupon_usages", coupon_id=coupon)

    error = refused(conn, lambda: rows.insert_values("coupon_usages", extra))

    # The coupons repository maps the rule to its domain error.
    assert isinstance(error, CouponUnavailable)
    assert error.constraint == "coupons_usage_count_limit_check"
    assert usage_count(conn, coupon) == 1
    assert conn.execute(
        "SELECT count(*) FROM coupon_usages WHERE coupon_id = %s", [coupon]
    ).fetchone() == (1,)


def test_two_concurrent_checkouts_cannot_both_use_the_last_coupon(
    postgresql: psycopg.Connection[Any],
) -> None:
    # Committed rows and two sessions: the second waits for the first's row lock on the
    # coupon, then sees the count at the limit.
    postgresql.autocommit = True
    rows = Rows(postgresql)
    coupon = rows.id("coupons", usage_limit=1)
    # Orders without items, committed: their subtotal must be 0 (0016_money_rules).
    free = {"subtotal_amount": 0, "tax_amount": 0, "discount_amount": 0, "total_amount": 0}
    first_usage, second_usage = (
        {"coupon_id": coupon, "order_id": rows.id("orders", **free), "discount_amount": 0}
        for _ in range(2)
    )
    dsn = url_of(postgresql.info)
    outcome: list[BaseException | None] = []
    with psycopg.connect(dsn) as first, psycopg.connect(dsn) as second:
        Rows(first).insert_values("coupon_usages", first_usage)

        def use() -> None:
            try:
                Rows(second).insert_values("coupon_usages", second_usage)
                second.commit()
                outcome.append(None)
            except psycopg.Error as exc:
                second.rollback()
                outcome.append(exc)

        waiting = threading.Thread(target=use)
        waiting.start()
        waiting.join(timeout=0.5)
        assert waiting.is_alive(), "the second usage should wait for the first transaction"
        first.commit()
        waiting.join(timeout=10)

    assert len(outcome) == 1
    assert isinstance(outcome[0], psycopg.errors.CheckViolation)
    assert outcome[0].diag.constraint_name == "coupons_usage_count_limit_check"
    assert usage_count(postgresql, coupon) == 1


# Generated columns.


def test_quantity_available_is_on_hand_minus_reserved_and_cannot_be_written(
    conn: psycopg.Connection[Any], rows: Rows
) -> None:
    stock = rows.insert("inventory", quantity_on_hand=10, quantity_reserved=3)
    assert stock["quantity_available"] == 7

    conn.execute("UPDATE inventory SET quantity_reserved = 10 WHERE id = %s", [stock["id"]])
    assert conn.execute(
        "SELECT quantity_available FROM inventory WHERE id = %s", [stock["id"]]
    ).fetchone() == (0,)

    with pytest.raises(psycopg.errors.GeneratedAlways), conn.transaction():
        conn.execute("UPDATE inventory SET quantity_available = 99 WHERE id = %s", [stock["id"]])


def test_products_are_found_by_title_summary_description_and_keywords(
    conn: psycopg.Connection[Any], rows: Rows
) -> None:
    product = rows.id(
        "products",
        title="Trail Shoe",
        summary="waterproof",
        description="grippy outsole",
        search_keywords=["hiking", "outdoor"],
    )
    rows.id("products", title="Teapot")
    search = """SELECT id FROM products
                 WHERE search_vector @@ websearch_to_tsquery('simple', %s) AND deleted_at IS NULL"""

    for words in ("trail", "waterproof", "outsole", "hiking", "shoe outdoor"):
        assert conn.execute(search, [words]).fetchall() == [(product,)], words


def test_the_product_search_uses_the_gin_index(conn: psycopg.Connection[Any]) -> None:
    conn.execute(
        """INSERT INTO products (title, slug, price)
           SELECT 'Product ' || n, 'gin-' || n, 1 FROM generate_series(1, 2000) AS n"""
    )
    conn.execute("ANALYZE products")

    plan = conn.execute(
        """EXPLAIN SELECT id FROM products
            WHERE search_vector @@ websearch_to_tsquery('simple', '1234')
              AND deleted_at IS NULL"""
    ).fetchall()

    assert "products_search_vector_idx" in "\n".join(line for (line,) in plan)
