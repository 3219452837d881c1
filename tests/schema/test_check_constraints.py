"""Every CHECK constraint refuses a row that breaks it, by name, and nothing is written.

Each case inserts a row that is valid except for one value. CHECK constraints are tested in
alphabetical order of name, so the case names exactly the constraint the server reports.
A catalog test makes sure no CHECK of the schema is left without a case.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import psycopg
import pytest
from psycopg.types.json import Jsonb

from shopdb.core.errors import ConstraintViolation, DomainError
from tests.schema.catalog import rows as catalog_rows
from tests.schema.rows import Rows
from tests.schema.support import count, refused

PAST = datetime.now(UTC) - timedelta(days=1)
NAN = Decimal("NaN")  # numeric(12,2) takes NaN (infinity it refuses by itself), and NaN >= 0 holds
FUTURE = datetime.now(UTC) + timedelta(days=10)
SELF = UUID("01890000-0000-7000-8000-00000000ca7e")  # a category that names itself its parent

# constraint name -> (table, the values that break it)
CASES: dict[str, tuple[str, dict[str, Any]]] = {
    # users (0001)
    "users_status_check": ("users", {"status": "BANNED"}),
    "users_email_format_check": ("users", {"email": "not-an-email"}),
    "users_password_hash_format_check": ("users", {"password_hash": "plain-text-password"}),
    "users_failed_login_count_check": ("users", {"failed_login_count": -1}),
    "users_first_name_length_check": ("users", {"first_name": ""}),
    "users_last_name_length_check": ("users", {"last_name": ""}),
    "users_phone_format_check": ("users", {"phone": "12345"}),
    "users_two_factor_check": ("users", {"two_factor_enabled": True}),
    "users_deleted_status_check": ("users", {"deleted_at": PAST}),
    # identity
    "user_sessions_refresh_token_hash_check": ("user_sessions", {"refresh_token_hash": "short"}),
    "user_sessions_expires_at_check": ("user_sessions", {"expires_at": PAST}),
    "user_sessions_revoked_at_check": ("user_sessions", {"revoked_at": PAST}),
    "roles_name_check": ("roles", {"name": "Admin Role"}),
    "permissions_key_check": ("permissions", {"key": "no-domain"}),
    "security_events_type_check": ("security_events", {"type": "login"}),
    "security_events_payload_check": ("security_events", {"payload": Jsonb([1, 2])}),
    "api_keys_name_check": ("api_keys", {"name": ""}),
    "api_keys_prefix_check": ("api_keys", {"prefix": "sk_live_0123"}),
    "api_keys_secret_hash_check": ("api_keys", {"secret_hash": "not-a-hex-digest"}),
    "api_keys_scopes_check": ("api_keys", {"scopes": "{" + ",".join(["s:a"] * 101) + "}"}),
    "api_keys_status_check": ("api_keys", {"status": "PAUSED"}),
    "api_keys_revoked_check": ("api_keys", {"status": "REVOKED"}),
    "api_keys_expires_at_check": ("api_keys", {"expires_at": PAST}),
    # catalog
    "categories_slug_check": ("categories", {"slug": "Not A Slug"}),
    "categories_name_check": ("categories", {"name": ""}),
    "categories_parent_id_cycle_check": ("categories", {"id": SELF, "parent_id": SELF}),
    "products_title_check": ("products", {"title": ""}),
    "products_slug_check": ("products", {"slug": "UPPER"}),
    "products_status_check": ("products", {"status": "LIVE"}),
    "products_price_check": ("products", {"price": -0.01}),
    "products_compare_at_price_check": ("products", {"compare_at_price": -1}),
    "products_currency_check": ("products", {"currency": "try"}),
    "products_inventory_policy_check": ("products", {"inventory_policy": "IGNORE"}),
    "products_attributes_check": ("products", {"attributes": Jsonb("red")}),
    "products_version_check": ("products", {"version": 0}),
    "product_variants_price_check": ("product_variants", {"price": -1}),
    "product_variants_compare_at_price_check": ("product_variants", {"compare_at_price": -1}),
    "product_variants_stock_check": ("product_variants", {"stock": -1}),
    "product_variants_weight_grams_check": ("product_variants", {"weight_grams": -1}),
    "product_variants_attributes_check": ("product_variants", {"attributes": Jsonb([])}),
    "collections_slug_check": ("collections", {"slug": "a b"}),
    "collections_status_check": ("collections", {"status": "HIDDEN"}),
    "inventory_quantity_on_hand_check": (
        "inventory",
        {"quantity_on_hand": -1, "quantity_reserved": 0},
    ),
    "inventory_quantity_reserved_check": ("inventory", {"quantity_reserved": -1}),
    "inventory_quantity_reserved_on_hand_check": (
        "inventory",
        {"quantity_on_hand": 1, "quantity_reserved": 2},
    ),
    "inventory_low_stock_threshold_check": ("inventory", {"low_stock_threshold": -1}),
    "inventory_version_check": ("inventory", {"version": 0}),
    # media
    "media_type_check": ("media", {"type": "AUDIO"}),
    "media_provider_check": ("media", {"provider": "DROPBOX"}),
    "media_mime_type_check": ("media", {"mime_type": "jpeg"}),
    "media_size_bytes_check": ("media", {"size_bytes": -1}),
    "media_width_check": ("media", {"width": 0}),
    "media_height_check": ("media", {"height": 0}),
    "media_url_check": ("media", {"url": "ftp://example.com/a.jpg"}),
    "product_media_sort_order_check": ("product_media", {"sort_order": -1}),
    "variant_media_sort_order_check": ("variant_media", {"sort_order": -1}),
    # carts and addresses
    "carts_status_check": ("carts", {"status": "OPEN"}),
    "carts_expires_at_check": ("carts", {"expires_at": PAST}),
    "carts_version_check": ("carts", {"version": 0}),
    "cart_items_quantity_check": ("cart_items", {"quantity": 0}),
    "cart_items_quantity_max_check": ("cart_items", {"quantity": 1001}),
    "cart_items_money_finite_check": ("cart_items", {"unit_price": NAN}),
    "products_money_finite_check": ("products", {"price": NAN}),
    "product_variants_money_finite_check": ("product_variants", {"compare_at_price": NAN}),
    "orders_money_finite_check": ("orders", {"tax_amount": NAN, "total_amount": NAN}),
    "order_items_money_finite_check": ("order_items", {"unit_price": NAN}),
    "payments_money_finite_check": ("payments", {"paid_price": NAN}),
    "payments_settled_paid_price_check": ("payments", {"paid_price": Decimal("0.01")}),
    "payment_refunds_money_finite_check": ("payment_refunds", {"amount": NAN}),
    "coupons_money_finite_check": ("coupons", {"max_discount_amount": NAN}),
    "coupon_usages_money_finite_check": ("coupon_usages", {"discount_amount": NAN}),
    "stock_reservations_quantity_check": ("stock_reservations", {"quantity": -1}),
    "service_keys_name_check": ("service_keys", {"name": "Not A Name"}),
    "service_keys_secret_check": ("service_keys", {"secret": bytes(31)}),
    # events (0070-0073)
    "outbox_events_sequence_check": ("outbox_events", {"sequence": 0}),
    "outbox_events_aggregate_type_check": ("outbox_events", {"aggregate_type": "planet"}),
    "outbox_events_event_type_check": ("outbox_events", {"event_type": "order.exploded"}),
    "outbox_events_event_aggregate_check": ("outbox_events", {"aggregate_type": "cart"}),
    "outbox_events_payload_check": ("outbox_events", {"payload": Jsonb([1])}),
    "outbox_consumers_name_check": ("outbox_consumers", {"name": "Not A Name"}),
    "outbox_consumers_consumed_check": ("outbox_consumers", {"consumed": -1}),
    "webhook_endpoints_url_check": ("webhook_endpoints", {"url": "ftp://hooks.example.com"}),
    "webhook_endpoints_event_types_check": ("webhook_endpoints", {"event_types": ["nope"]}),
    "webhook_endpoints_secret_sealed_check": ("webhook_endpoints", {"secret_sealed": "plain"}),
    "webhook_deliveries_status_check": ("webhook_deliveries", {"status": "LOST"}),
    "webhook_deliveries_attempts_check": ("webhook_deliveries", {"attempts": -1}),
    "webhook_deliveries_lease_check": ("webhook_deliveries", {"lease_token": SELF}),
    "webhook_deliveries_delivered_at_check": ("webhook_deliveries", {"status": "DELIVERED"}),
    "webhook_deliveries_last_error_check": ("webhook_deliveries", {"last_error": "x" * 1001}),
    "webhook_attempts_attempt_check": ("webhook_attempts", {"attempt": 0}),
    "webhook_attempts_outcome_check": ("webhook_attempts", {"outcome": "MAYBE"}),
    "webhook_attempts_http_status_check": ("webhook_attempts", {"http_status": 99}),
    "webhook_attempts_latency_ms_check": ("webhook_attempts", {"latency_ms": -1}),
    "webhook_attempts_error_check": ("webhook_attempts", {"error": "x" * 1001}),
    "notifications_kind_check": ("notifications", {"kind": "Not A Kind"}),
    "notifications_title_check": ("notifications", {"title": ""}),
    "notifications_body_check": ("notifications", {"body": "x" * 2001}),
    "notifications_data_check": ("notifications", {"data": Jsonb([])}),
    "notification_preferences_kind_check": ("notification_preferences", {"kind": "Not A Kind"}),
    "notification_preferences_channel_check": ("notification_preferences", {"channel": "FAX"}),
    "cart_recovery_events_kind_check": ("cart_recovery_events", {"kind": "LOST"}),
    "cart_recovery_events_revenue_check": ("cart_recovery_events", {"revenue": -1}),
    "cart_recovery_events_kind_revenue_check": ("cart_recovery_events", {"kind": "SENT"}),
    "cart_recovery_events_order_id_check": (
        "cart_recovery_events",
        {"kind": "SENT", "revenue": None, "order_id": SELF},
    ),
    "stock_reservations_state_check": ("stock_reservations", {"state": "LOST"}),
    "cart_items_unit_price_check": ("cart_items", {"unit_price": -1}),
    "addresses_country_check": ("addresses", {"country": "Turkey"}),
    "addresses_phone_check": ("addresses", {"phone": "555"}),
    "addresses_full_name_check": ("addresses", {"full_name": ""}),
    # orders
    "orders_reference_check": ("orders", {"reference": "x"}),
    "orders_status_check": ("orders", {"status": "LOST"}),
    "orders_total_amount_check": (
        "orders",
        {"subtotal_amount": 0, "tax_amount": 0, "discount_amount": 1, "total_amount": -1},
    ),
    "orders_subtotal_amount_check": (
        "orders",
        {"subtotal_amount": -1, "tax_amount": 1, "discount_amount": 0, "total_amount": 0},
    ),
    "orders_tax_amount_check": (
        "orders",
        {"subtotal_amount": 1, "tax_amount": -1, "discount_amount": 0, "total_amount": 0},
    ),
    "orders_discount_amount_check": (
        "orders",
        {"subtotal_amount": 1, "tax_amount": 0, "discount_amount": -1, "total_amount": 2},
    ),
    "orders_total_amount_sum_check": (
        "orders",
        {"subtotal_amount": 100, "tax_amount": 18, "discount_amount": 10, "total_amount": 118},
    ),
    "orders_currency_check": ("orders", {"currency": "EURO"}),
    "orders_metadata_check": ("orders", {"metadata": Jsonb(None)}),
    "orders_version_check": ("orders", {"version": 0}),
    "order_items_quantity_check": ("order_items", {"quantity": 0}),
    "order_items_unit_price_check": ("order_items", {"unit_price": -1}),
    "order_items_currency_check": ("order_items", {"currency": "tl"}),
    "order_items_variant_snapshot_check": ("order_items", {"variant_snapshot": Jsonb([])}),
    # payments
    "payments_provider_check": ("payments", {"provider": "CASH"}),
    "payments_status_check": ("payments", {"status": "DONE"}),
    "payments_amount_check": ("payments", {"amount": -1}),
    "payments_paid_price_check": ("payments", {"paid_price": -1}),
    "payments_currency_check": ("payments", {"currency": "usd"}),
    "payments_installment_check": ("payments", {"installment": 0}),
    "payments_bin_number_check": ("payments", {"bin_number": "12"}),
    "payments_last_four_digits_check": ("payments", {"last_four_digits": "12345"}),
    "payments_fraud_score_check": ("payments", {"fraud_score": 100.5}),
    "saved_cards_bin_number_check": ("saved_cards", {"bin_number": "abcdef"}),
    "saved_cards_last_four_digits_check": ("saved_cards", {"last_four_digits": "42"}),
    "saved_cards_expiry_month_check": ("saved_cards", {"expiry_month": 13}),
    "saved_cards_expiry_year_check": ("saved_cards", {"expiry_year": 1999}),
    "payment_refunds_amount_check": ("payment_refunds", {"amount": 0}),
    "payment_refunds_currency_check": ("payment_refunds", {"currency": "T"}),
    "payment_refunds_status_check": ("payment_refunds", {"status": "DONE"}),
    "payment_refunds_metadata_check": ("payment_refunds", {"metadata": Jsonb("x")}),
    # reviews
    "reviews_rating_check": ("reviews", {"rating": 6}),
    "reviews_status_check": ("reviews", {"status": "HIDDEN"}),
    "reviews_helpful_count_check": ("reviews", {"helpful_count": -1}),
    "reviews_not_helpful_count_check": ("reviews", {"not_helpful_count": -1}),
    "review_media_sort_order_check": ("review_media", {"sort_order": -1}),
    # coupons
    "coupons_code_check": ("coupons", {"code": "lower"}),
    "coupons_type_check": ("coupons", {"type": "BOGO"}),
    "coupons_value_check": ("coupons", {"value": -1}),
    "coupons_value_percentage_check": ("coupons", {"type": "PERCENTAGE", "value": 101}),
    "coupons_min_order_amount_check": ("coupons", {"min_order_amount": -1}),
    "coupons_max_discount_amount_check": ("coupons", {"max_discount_amount": -1}),
    "coupons_usage_limit_check": ("coupons", {"usage_limit": 0}),
    "coupons_usage_count_check": ("coupons", {"usage_count": -1}),
    "coupons_usage_count_limit_check": ("coupons", {"usage_limit": 1, "usage_count": 2}),
    "coupons_expires_at_check": ("coupons", {"expires_at": PAST}),
    "coupons_expires_at_starts_at_check": (
        "coupons",
        {"starts_at": FUTURE, "expires_at": FUTURE - timedelta(days=1)},
    ),
    "coupon_usages_discount_amount_check": ("coupon_usages", {"discount_amount": -1}),
    "coupons_per_user_limit_check": ("coupons", {"per_user_limit": 0}),
    # the ratings read model (0085)
    "product_ratings_rating_count_check": ("product_ratings", {"rating_count": 1}),
    "product_ratings_rating_count_nonnegative_check": (
        "product_ratings",
        {"rating_count": -1, "one_star": -1},
    ),
    "product_ratings_stars_check": ("product_ratings", {"one_star": -1, "two_stars": 1}),
    # the data-quality runs (0087)
    "quality_runs_checks_run_check": ("quality_runs", {"checks_run": -1}),
    "quality_runs_anomalies_check": ("quality_runs", {"anomalies": -1}),
    "quality_runs_within_checks_check": ("quality_runs", {"checks_run": 1, "anomalies": 2}),
    "quality_runs_finished_at_check": ("quality_runs", {"finished_at": PAST}),
    "quality_anomalies_check_name_check": ("quality_anomalies", {"check_name": "Not A Name"}),
    "quality_anomalies_offending_count_check": ("quality_anomalies", {"offending_count": 0}),
    "quality_anomalies_sample_ids_check": (
        "quality_anomalies",
        {"sample_ids": "{" + ",".join(str(n) for n in range(21)) + "}"},  # text[] literal
    ),
    # audit
    "audit_logs_actor_type_check": ("audit_logs", {"actor_type": "ROBOT"}),
    "audit_logs_action_check": ("audit_logs", {"action": ""}),
    "audit_logs_entity_check": ("audit_logs", {"entity": ""}),
}

EXTRA_CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("reviews_rating_check", "reviews", {"rating": 0}),
    ("orders_total_amount_sum_check", "orders", {"discount_amount": 0, "total_amount": 108}),
    ("payment_refunds_amount_check", "payment_refunds", {"amount": -5}),
    ("coupons_value_percentage_check", "coupons", {"type": "PERCENTAGE", "value": 100.01}),
]

ALL_CASES = [(name, table, values) for name, (table, values) in CASES.items()] + EXTRA_CASES


@pytest.mark.parametrize(
    ("constraint", "table", "values"),
    ALL_CASES,
    ids=[f"{c[0]}:{','.join(c[2])}" for c in ALL_CASES],
)
def test_a_row_that_breaks_the_check_is_refused_by_name_and_not_written(
    conn: psycopg.Connection[Any], rows: Rows, constraint: str, table: str, values: dict[str, Any]
) -> None:
    row = rows.values(table, **values)
    before = count(conn, table)

    error = refused(conn, lambda: rows.insert_values(table, row))

    # A rule that a repository maps to a domain error (CouponUnavailable) raises that.
    assert isinstance(error, ConstraintViolation | DomainError)
    assert error.constraint == constraint
    assert not isinstance(error, ConstraintViolation) or error.sqlstate == "23514"
    assert count(conn, table) == before


@pytest.mark.parametrize("table", Rows.TABLES)
def test_the_valid_row_of_each_table_is_accepted(rows: Rows, table: str) -> None:
    # The cases above are only meaningful if the row they start from is valid.
    assert rows.insert(table)


def test_every_check_constraint_of_the_schema_has_a_case(conn: psycopg.Connection[Any]) -> None:
    found = {
        name
        for (name,) in catalog_rows(
            conn,
            """SELECT k.conname FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
                WHERE k.contype = 'c' AND c.relnamespace = 'public'::regnamespace
                  AND NOT c.relispartition""",
        )
    }

    assert found == set(CASES)
