"""Every UNIQUE constraint and unique index refuses a duplicate as a ConflictError by name.

Covers the business rules of seed 003 section 9.3 that are uniqueness: one review per user
per product, no duplicate cart item, at most one default address / primary variant / default
card per owner (partial unique indexes), one order per cart, one usage of a coupon per order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg
import pytest

from shopdb.core.errors import ConflictError
from tests.schema.catalog import rows as catalog_rows
from tests.schema.rows import Rows
from tests.schema.support import count, refused


def same(value: Any) -> Any:
    """The duplicate takes the first row's value as it is."""
    return value


# name -> (table, values both rows get, {column copied from the first row: how})
CASES: dict[str, tuple[str, dict[str, Any], dict[str, Callable[[Any], Any]]]] = {
    "users_email_lower_key": ("users", {}, {"email": str.upper}),
    "user_sessions_refresh_token_hash_key": ("user_sessions", {}, {"refresh_token_hash": same}),
    "roles_name_key": ("roles", {}, {"name": same}),
    "permissions_key_key": ("permissions", {}, {"key": same}),
    "api_keys_prefix_key": ("api_keys", {}, {"prefix": same}),
    "role_permissions_pkey": ("role_permissions", {}, {"role_id": same, "permission_id": same}),
    "user_roles_pkey": ("user_roles", {}, {"user_id": same, "role_id": same}),
    "user_permissions_pkey": ("user_permissions", {}, {"user_id": same, "permission_id": same}),
    "categories_slug_key": ("categories", {}, {"slug": same}),
    "products_slug_key": ("products", {}, {"slug": same}),
    "products_sku_key": ("products", {}, {"sku": same}),
    "product_variants_sku_key": ("product_variants", {}, {"sku": same}),
    "product_variants_product_id_is_primary_key": (
        "product_variants",
        {"is_primary": True},
        {"product_id": same},
    ),
    "product_categories_pkey": (
        "product_categories",
        {},
        {"product_id": same, "category_id": same},
    ),
    "product_categories_product_id_is_primary_key": (
        "product_categories",
        {"is_primary": True},
        {"product_id": same},
    ),
    "collections_slug_key": ("collections", {}, {"slug": same}),
    "product_collections_pkey": (
        "product_collections",
        {},
        {"product_id": same, "collection_id": same},
    ),
    "inventory_product_variant_id_key": ("inventory", {}, {"product_variant_id": same}),
    "media_asset_id_key": ("media", {}, {"asset_id": same}),
    "product_media_pkey": ("product_media", {}, {"product_id": same, "media_id": same}),
    "product_media_product_id_is_primary_key": (
        "product_media",
        {"is_primary": True},
        {"product_id": same},
    ),
    "variant_media_pkey": ("variant_media", {}, {"variant_id": same, "media_id": same}),
    "variant_media_variant_id_is_primary_key": (
        "variant_media",
        {"is_primary": True},
        {"variant_id": same},
    ),
    "carts_user_id_active_key": ("carts", {"status": "ACTIVE"}, {"user_id": same}),
    "cart_items_cart_id_product_variant_id_key": (
        "cart_items",
        {},
        {"cart_id": same, "product_variant_id": same},
    ),
    "addresses_user_id_is_default_key": ("addresses", {"is_default": True}, {"user_id": same}),
    "orders_reference_key": ("orders", {}, {"reference": same}),
    "orders_cart_id_key": ("orders", {}, {"cart_id": same}),
    "orders_idempotency_key_key": ("orders", {"idempotency_key": "checkout-key-0001"}, {}),
    "payments_transaction_id_provider_key": (
        "payments",
        {},
        {"transaction_id": same, "provider": same},
    ),
    "payments_order_id_live_key": ("payments", {}, {"order_id": same}),
    "stock_reservations_order_id_product_variant_id_key": (
        "stock_reservations",
        {},
        {"order_id": same, "product_variant_id": same},
    ),
    "saved_cards_card_token_key": ("saved_cards", {}, {"card_token": same}),
    "review_votes_pkey": ("review_votes", {}, {"review_id": same, "user_id": same}),
    "service_keys_pkey": ("service_keys", {}, {"name": same}),
    "outbox_events_aggregate_type_aggregate_id_sequence_key": (
        "outbox_events",
        {},
        {"aggregate_id": same},
    ),
    "outbox_consumers_pkey": ("outbox_consumers", {}, {"name": same}),
    "webhook_deliveries_endpoint_id_event_id_key": (
        "webhook_deliveries",
        {},
        {"endpoint_id": same, "event_id": same},
    ),
    "webhook_attempts_delivery_id_attempt_key": ("webhook_attempts", {}, {"delivery_id": same}),
    "notifications_event_id_user_id_key": (
        "notifications",
        {},
        {"event_id": same, "user_id": same},
    ),
    "notification_preferences_pkey": ("notification_preferences", {}, {"user_id": same}),
    "cart_recovery_events_recovered_key": ("cart_recovery_events", {}, {"cart_id": same}),
    "saved_cards_user_id_is_default_key": ("saved_cards", {"is_default": True}, {"user_id": same}),
    "payment_refunds_refund_id_key": ("payment_refunds", {}, {"refund_id": same}),
    "reviews_product_id_user_id_key": ("reviews", {}, {"product_id": same, "user_id": same}),
    "review_media_pkey": ("review_media", {}, {"review_id": same, "media_id": same}),
    "coupons_code_key": ("coupons", {}, {"code": same}),
    "product_ratings_pkey": ("product_ratings", {}, {"product_id": same}),
    "quality_anomalies_run_id_check_name_key": (
        "quality_anomalies",
        {},
        {"run_id": same, "check_name": same},
    ),
    "coupon_usages_coupon_id_order_id_key": (
        "coupon_usages",
        {},
        {"coupon_id": same, "order_id": same},
    ),
}


@pytest.mark.parametrize("constraint", list(CASES))
def test_a_duplicate_is_a_conflict_named_by_its_constraint_and_is_not_written(
    conn: psycopg.Connection[Any], rows: Rows, constraint: str
) -> None:
    table, shared, copied = CASES[constraint]
    first = rows.insert(table, **shared)
    duplicate = rows.values(
        table, **shared, **{column: how(first[column]) for column, how in copied.items()}
    )
    before = count(conn, table)

    error = refused(conn, lambda: rows.insert_values(table, duplicate))

    assert isinstance(error, ConflictError)
    assert error.constraint == constraint
    assert count(conn, table) == before


@pytest.mark.parametrize(
    ("table", "shared", "column"),
    [
        ("product_variants", {"is_primary": False}, "product_id"),
        ("addresses", {"is_default": False}, "user_id"),
        ("carts", {"status": "CHECKED_OUT"}, "user_id"),
        ("saved_cards", {"is_default": False}, "user_id"),
        ("product_media", {"is_primary": False}, "product_id"),
    ],
)
def test_the_one_per_owner_rules_allow_many_rows_outside_their_condition(
    rows: Rows, table: str, shared: dict[str, Any], column: str
) -> None:
    first = rows.insert(table, **shared)

    assert rows.insert(table, **shared, **{column: first[column]})


def test_a_soft_deleted_default_address_does_not_block_a_new_default(rows: Rows) -> None:
    old = rows.insert("addresses", is_default=True)
    rows.conn.execute("UPDATE addresses SET deleted_at = now() WHERE id = %s", [old["id"]])

    assert rows.insert("addresses", is_default=True, user_id=old["user_id"])


def test_every_unique_constraint_and_index_has_a_case(conn: psycopg.Connection[Any]) -> None:
    found = {
        name
        for (name,) in catalog_rows(
            conn,
            """SELECT i.relname FROM pg_index x
                 JOIN pg_class i ON i.oid = x.indexrelid
                 JOIN pg_class t ON t.oid = x.indrelid
                WHERE x.indisunique AND t.relnamespace = 'public'::regnamespace
                  AND NOT t.relispartition AND t.relname !~ '^_?yoyo'
                  -- a generated UUID v7 key cannot repeat: single id keys need no case
                  AND NOT (x.indisprimary
                           AND pg_get_indexdef(x.indexrelid) ~ '\\(id(, created_at)?\\)$')
                  -- an owner key (0030) holds (id, user_id): unique because id is
                  AND NOT pg_get_indexdef(x.indexrelid) ~ '\\(id, user_id\\)$'""",
        )
    }

    assert found == set(CASES)
