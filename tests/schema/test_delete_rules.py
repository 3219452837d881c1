"""What deleting a row does to the rows that reference it: seed 003 section 3.2 and the rest.

The named tests are the rules of section 3.2 as the seed states them. The table below gives
the rule of every foreign key of the schema; a parametrized test checks each one by deleting
a fresh parent, and a catalog test makes sure the table and the schema agree.
"""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from psycopg import sql

from shopdb.core.errors import ConstraintViolation
from tests.schema.catalog import rows as catalog_rows
from tests.schema.rows import Rows
from tests.schema.support import refused

# foreign key -> (table, column, referenced table, on delete)
RULES: dict[str, tuple[str, str, str, str]] = {
    "user_sessions_user_id_fkey": ("user_sessions", "user_id", "users", "CASCADE"),
    "user_roles_user_id_fkey": ("user_roles", "user_id", "users", "CASCADE"),
    "user_roles_role_id_fkey": ("user_roles", "role_id", "roles", "CASCADE"),
    "user_permissions_user_id_fkey": ("user_permissions", "user_id", "users", "CASCADE"),
    "user_permissions_permission_id_fkey": (
        "user_permissions",
        "permission_id",
        "permissions",
        "CASCADE",
    ),
    "role_permissions_role_id_fkey": ("role_permissions", "role_id", "roles", "CASCADE"),
    "role_permissions_permission_id_fkey": (
        "role_permissions",
        "permission_id",
        "permissions",
        "CASCADE",
    ),
    "security_events_user_id_fkey": ("security_events", "user_id", "users", "SET NULL"),
    "api_keys_user_id_fkey": ("api_keys", "user_id", "users", "CASCADE"),
    "categories_parent_id_fkey": ("categories", "parent_id", "categories", "RESTRICT"),
    "product_variants_product_id_fkey": ("product_variants", "product_id", "products", "CASCADE"),
    "product_categories_product_id_fkey": (
        "product_categories",
        "product_id",
        "products",
        "CASCADE",
    ),
    "product_categories_category_id_fkey": (
        "product_categories",
        "category_id",
        "categories",
        "RESTRICT",
    ),
    "product_collections_product_id_fkey": (
        "product_collections",
        "product_id",
        "products",
        "CASCADE",
    ),
    "product_collections_collection_id_fkey": (
        "product_collections",
        "collection_id",
        "collections",
        "CASCADE",
    ),
    "inventory_product_variant_id_fkey": (
        "inventory",
        "product_variant_id",
        "product_variants",
        "CASCADE",
    ),
    "product_media_product_id_fkey": ("product_media", "product_id", "products", "CASCADE"),
    "product_media_media_id_fkey": ("product_media", "media_id", "media", "CASCADE"),
    "variant_media_variant_id_fkey": ("variant_media", "variant_id", "product_variants", "CASCADE"),
    "variant_media_media_id_fkey": ("variant_media", "media_id", "media", "CASCADE"),
    "carts_user_id_fkey": ("carts", "user_id", "users", "SET NULL"),
    "cart_items_cart_id_fkey": ("cart_items", "cart_id", "carts", "CASCADE"),
    "cart_items_product_variant_id_fkey": (
        "cart_items",
        "product_variant_id",
        "product_variants",
        "CASCADE",
    ),
    "addresses_user_id_fkey": ("addresses", "user_id", "users", "CASCADE"),
    "orders_user_id_fkey": ("orders", "user_id", "users", "SET NULL"),
    "orders_cart_id_fkey": ("orders", "cart_id", "carts", "SET NULL"),
    "orders_shipping_address_id_fkey": ("orders", "shipping_address_id", "addresses", "SET NULL"),
    "orders_billing_address_id_fkey": ("orders", "billing_address_id", "addresses", "SET NULL"),
    "order_items_order_id_fkey": ("order_items", "order_id", "orders", "CASCADE"),
    "order_items_product_id_fkey": ("order_items", "product_id", "products", "SET NULL"),
    "order_items_product_variant_id_fkey": (
        "order_items",
        "product_variant_id",
        "product_variants",
        "SET NULL",
    ),
    "payments_order_id_fkey": ("payments", "order_id", "orders", "RESTRICT"),
    "stock_reservations_order_id_fkey": ("stock_reservations", "order_id", "orders", "CASCADE"),
    "stock_reservations_product_variant_id_fkey": (
        "stock_reservations",
        "product_variant_id",
        "product_variants",
        "CASCADE",
    ),
    "payments_user_id_fkey": ("payments", "user_id", "users", "SET NULL"),
    "review_votes_review_id_fkey": ("review_votes", "review_id", "reviews", "CASCADE"),
    "review_votes_user_id_fkey": ("review_votes", "user_id", "users", "CASCADE"),
    "saved_cards_user_id_fkey": ("saved_cards", "user_id", "users", "CASCADE"),
    "payment_refunds_payment_id_fkey": ("payment_refunds", "payment_id", "payments", "RESTRICT"),
    "reviews_product_id_fkey": ("reviews", "product_id", "products", "CASCADE"),
    "reviews_user_id_fkey": ("reviews", "user_id", "users", "SET NULL"),
    "reviews_order_id_fkey": ("reviews", "order_id", "orders", "SET NULL"),
    "review_media_review_id_fkey": ("review_media", "review_id", "reviews", "CASCADE"),
    "review_media_media_id_fkey": ("review_media", "media_id", "media", "CASCADE"),
    "coupon_usages_coupon_id_fkey": ("coupon_usages", "coupon_id", "coupons", "RESTRICT"),
    "coupon_usages_user_id_fkey": ("coupon_usages", "user_id", "users", "SET NULL"),
    "coupon_usages_order_id_fkey": ("coupon_usages", "order_id", "orders", "CASCADE"),
    "audit_logs_user_id_fkey": ("audit_logs", "user_id", "users", "SET NULL"),
    "product_ratings_product_id_fkey": ("product_ratings", "product_id", "products", "CASCADE"),
    "quality_anomalies_run_id_fkey": ("quality_anomalies", "run_id", "quality_runs", "CASCADE"),
    "webhook_deliveries_endpoint_id_fkey": (
        "webhook_deliveries", "endpoint_id", "webhook_endpoints", "CASCADE"),
    "webhook_deliveries_event_id_fkey": (
        "webhook_deliveries", "event_id", "outbox_events", "CASCADE"),
    "webhook_attempts_delivery_id_fkey": (
        "webhook_attempts", "delivery_id", "webhook_deliveries", "CASCADE"),
    "notifications_user_id_fkey": ("notifications", "user_id", "users", "CASCADE"),
    "notifications_event_id_fkey": ("notifications", "event_id", "outbox_events", "SET NULL"),
    "notification_preferences_user_id_fkey": (
        "notification_preferences", "user_id", "users", "CASCADE"),
    "cart_recovery_events_cart_id_fkey": ("cart_recovery_events", "cart_id", "carts", "CASCADE"),
    "cart_recovery_events_order_id_fkey": (
        "cart_recovery_events", "order_id", "orders", "SET NULL"),
}  # fmt: skip

# The key of each table's rows, to find a row again after its parent is gone.
KEYS: dict[str, tuple[str, ...]] = {
    "role_permissions": ("role_id", "permission_id"),
    "user_roles": ("user_id", "role_id"),
    "user_permissions": ("user_id", "permission_id"),
    "product_categories": ("product_id", "category_id"),
    "product_collections": ("product_id", "collection_id"),
    "product_media": ("product_id", "media_id"),
    "variant_media": ("variant_id", "media_id"),
    "review_media": ("review_id", "media_id"),
    "review_votes": ("review_id", "user_id"),
    "product_ratings": ("product_id",),
    "notification_preferences": ("user_id", "kind", "channel"),
}


def find(conn: psycopg.Connection[Any], table: str, row: dict[str, Any]) -> tuple[Any, ...] | None:
    """The row of ``table`` with the key of ``row`` now, as a tuple, or None if it is gone."""
    key = KEYS.get(table, ("id",))
    where = sql.SQL(" AND ").join(sql.SQL("{} = %s").format(sql.Identifier(c)) for c in key)
    query = sql.SQL("SELECT * FROM {} WHERE {}").format(sql.Identifier(table), where)
    return conn.execute(query, [row[c] for c in key]).fetchone()


def delete(conn: psycopg.Connection[Any], table: str, id_: Any) -> None:
    """DELETE the row of ``table`` with this id."""
    conn.execute(sql.SQL("DELETE FROM {} WHERE id = %s").format(sql.Identifier(table)), [id_])


def exists(conn: psycopg.Connection[Any], table: str, id_: Any) -> bool:
    """Whether ``table`` still has the row with this id."""
    query = sql.SQL("SELECT 1 FROM {} WHERE id = %s").format(sql.Identifier(table))
    return conn.execute(query, [id_]).fetchone() is not None


@pytest.mark.parametrize("fkey", list(RULES))
def test_deleting_the_referenced_row_follows_the_rule_of_the_foreign_key(
    conn: psycopg.Connection[Any], rows: Rows, fkey: str
) -> None:
    table, column, parent_table, rule = RULES[fkey]
    parent = rows.id(parent_table)
    child = rows.insert(table, **{column: parent})

    if rule == "RESTRICT":
        error = refused(conn, lambda: delete(conn, parent_table, parent))
        assert isinstance(error, ConstraintViolation)
        assert error.constraint == fkey
        assert exists(conn, parent_table, parent)
        assert find(conn, table, child) is not None
        return
    delete(conn, parent_table, parent)
    kept = find(conn, table, child)
    if rule == "CASCADE":
        assert kept is None
    else:
        assert kept is not None
        assert conn.execute(
            sql.SQL("SELECT {} FROM {} WHERE id = %s").format(
                sql.Identifier(column), sql.Identifier(table)
            ),
            [child["id"]],
        ).fetchone() == (None,)


def test_every_foreign_key_of_the_schema_has_its_rule_here(conn: psycopg.Connection[Any]) -> None:
    words = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}
    found = {
        name: (table, columns[0], parent, words[code])
        for name, table, columns, parent, code in catalog_rows(
            conn,
            """SELECT k.conname, c.relname,
                      ARRAY(SELECT a.attname FROM pg_attribute a
                             WHERE a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey)),
                      p.relname, k.confdeltype
                 FROM pg_constraint k
                 JOIN pg_class c ON c.oid = k.conrelid
                 JOIN pg_class p ON p.oid = k.confrelid
                WHERE k.contype = 'f' AND c.relnamespace = 'public'::regnamespace
                  AND NOT c.relispartition AND cardinality(k.conkey) = 1""",
        )
    }

    # The composite owner keys of 0031 are tested in tests/schema/test_owner_keys.py.
    assert found == RULES


# Seed 003 section 3.2, rule by rule.


def test_deleting_a_user_deletes_its_sessions_roles_and_permissions(
    conn: psycopg.Connection[Any], rows: Rows
) -> None:
    user = rows.id("users")
    session = rows.insert("user_sessions", user_id=user)
    role = rows.insert("user_roles", user_id=user)
    permission = rows.insert("user_permissions", user_id=user)

    delete(conn, "users", user)

    assert find(conn, "user_sessions", session) is None
    assert find(conn, "user_roles", role) is None
    assert find(conn, "user_permissions", permission) is None
    assert exists(conn, "roles", role["role_id"])
    assert exists(conn, "permissions", permission["permission_id"])


def test_deleting_a_user_keeps_its_carts_and_orders_with_no_user(
    conn: psycopg.Connection[Any], rows: Rows
) -> None:
    user = rows.id("users")
    cart = rows.id("carts", user_id=user)
    order = rows.id("orders", user_id=user, cart_id=cart)

    delete(conn, "users", user)

    assert conn.execute("SELECT user_id FROM carts WHERE id = %s", [cart]).fetchone() == (None,)
    assert conn.execute("SELECT user_id FROM orders WHERE id = %s", [order]).fetchone() == (None,)


def test_deleting_a_product_deletes_its_variants_category_links_and_media_links(
    conn: psycopg.Connection[Any], rows: Rows
) -> None:
    product = rows.id("products")
    variant = rows.insert("product_variants", product_id=product)
    link = rows.insert("product_categories", product_id=product)
    media = rows.insert("product_media", product_id=product)

    delete(conn, "products", product)

    assert find(conn, "product_variants", variant) is None
    assert find(conn, "product_categories", link) is None
    assert find(conn, "product_media", media) is None
    assert exists(conn, "categories", link["category_id"])
    assert exists(conn, "media", media["media_id"])


def test_deleting_a_cart_deletes_its_items(conn: psycopg.Connection[Any], rows: Rows) -> None:
    cart = rows.id("carts")
    items = [rows.insert("cart_items", cart_id=cart) for _ in range(2)]

    delete(conn, "carts", cart)

    assert all(find(conn, "cart_items", item) is None for item in items)


def test_an_order_with_payments_cannot_be_deleted(
    conn: psycopg.Connection[Any], rows: Rows
) -> None:
    order = rows.id("orders")
    item = rows.insert("order_items", order_id=order)
    payment = rows.insert("payments", order_id=order)

    error = refused(conn, lambda: delete(conn, "orders", order))

    assert isinstance(error, ConstraintViolation)
    assert error.constraint == "payments_order_id_fkey"
    assert exists(conn, "orders", order)
    assert find(conn, "order_items", item) is not None
    assert find(conn, "payments", payment) is not None


def test_an_order_without_payments_can_be_deleted_with_its_items(
    conn: psycopg.Connection[Any], rows: Rows
) -> None:
    order = rows.id("orders")
    item = rows.insert("order_items", order_id=order)

    delete(conn, "orders", order)

    assert find(conn, "order_items", item) is None


def test_a_category_with_products_cannot_be_deleted(
    conn: psycopg.Connection[Any], rows: Rows
) -> None:
    category = rows.id("categories")
    link = rows.insert("product_categories", category_id=category)

    error = refused(conn, lambda: delete(conn, "categories", category))

    assert isinstance(error, ConstraintViolation)
    assert error.constraint == "product_categories_category_id_fkey"
    assert exists(conn, "categories", category)
    assert find(conn, "product_categories", link) is not None


def test_a_category_without_products_or_children_can_be_deleted(
    conn: psycopg.Connection[Any], rows: Rows
) -> None:
    category = rows.id("categories")

    delete(conn, "categories", category)

    assert not exists(conn, "categories", category)
