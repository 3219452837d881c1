"""Rules every table of the schema keeps, checked in the live catalog (not in the SQL text)."""

from __future__ import annotations

import re
from typing import Any

import psycopg
import pytest

from tests.schema.catalog import columns, rows, tables

# Seed 003 sections 2.1-2.9: every table and every field it lists, in snake_case.
SEED: dict[str, str] = {
    "users": "id email password_hash first_name last_name phone email_verified email_verified_at "
    "failed_login_count lockout_until two_factor_secret two_factor_enabled status",
    "user_sessions": "id user_id refresh_token_hash fingerprint ip_address user_agent expires_at "
    "revoked_at",
    "roles": "id name description",
    "permissions": "id key description",
    "role_permissions": "role_id permission_id assigned_at",
    "user_roles": "user_id role_id assigned_at",
    "user_permissions": "user_id permission_id assigned_at",
    "security_events": "id user_id type ip_address user_agent payload",
    "products": "id title slug sku description summary status price compare_at_price currency "
    "inventory_policy search_keywords attributes deleted_at",
    "product_variants": "id product_id title sku price compare_at_price stock attributes "
    "weight_grams is_primary",
    "categories": "id name slug description parent_id level path image_url icon_url display_order",
    "product_categories": "product_id category_id is_primary assigned_at",
    "collections": "id name slug description image_url status display_order",
    "product_collections": "product_id collection_id display_order",
    "inventory": "id product_variant_id quantity_available quantity_reserved quantity_on_hand "
    "low_stock_threshold",
    "media": "id asset_id url type provider mime_type size_bytes width height alt caption",
    "product_media": "product_id media_id sort_order is_primary",
    "variant_media": "variant_id media_id sort_order is_primary",
    "carts": "id user_id session_id status expires_at",
    "cart_items": "id cart_id product_variant_id quantity unit_price",
    "addresses": "id user_id label full_name phone line1 line2 city state postal_code country "
    "is_default",
    "orders": "id reference user_id cart_id status total_amount subtotal_amount tax_amount "
    "discount_amount currency shipping_address_id billing_address_id placed_at fulfilled_at "
    "shipped_at delivered_at cancelled_at notes metadata version",
    "order_items": "id order_id product_id product_variant_id quantity unit_price currency "
    "title_snapshot variant_snapshot",
    "payments": "id order_id user_id provider status transaction_id conversation_id amount "
    "paid_price currency installment payment_channel payment_group card_token card_association "
    "card_family bin_number last_four_digits three_ds_html_content ip_address device_id "
    "fraud_score risk_flags authorized_at settled_at failed_at failure_reason failure_code "
    "raw_payload",
    "saved_cards": "id user_id card_token card_alias bin_number last_four_digits card_type "
    "card_association card_family card_bank_name card_holder_name expiry_month expiry_year "
    "is_default",
    "payment_refunds": "id payment_id amount currency reason status refund_id processed_at "
    "failure_reason metadata",
    "reviews": "id product_id user_id order_id rating title content is_verified_purchase status "
    "helpful_count not_helpful_count",
    "review_media": "review_id media_id sort_order",
    "coupons": "id code description type value min_order_amount max_discount_amount usage_limit "
    "usage_count starts_at expires_at is_active",
    "coupon_usages": "id coupon_id user_id order_id discount_amount used_at",
    "audit_logs": "id user_id actor_type action entity entity_id before after ip_address "
    "user_agent",
}

MONEY = {
    "products": ["price", "compare_at_price"],
    "product_variants": ["price", "compare_at_price"],
    "cart_items": ["unit_price"],
    "orders": ["total_amount", "subtotal_amount", "tax_amount", "discount_amount"],
    "order_items": ["unit_price"],
    "payments": ["amount", "paid_price"],
    "payment_refunds": ["amount"],
    "coupons": ["value", "min_order_amount", "max_discount_amount"],
    "coupon_usages": ["discount_amount"],
}
QUANTITY = re.compile(
    r"^(quantity(_\w+)?|stock|\w+_count|\w+_threshold|size_bytes|weight_grams|usage_limit|sort_order)$"
)
VERSIONED = ["orders", "products", "inventory", "carts"]
SOFT_DELETED = ["addresses", "products", "reviews", "users"]

# Seed 003 section 4 (and the @@index lines of section 2): (table, leading keys, unique).
# unique None: any index will do; the foreign-key ones must also be non-partial.
SECTION_4: list[tuple[str, tuple[str, ...], bool | None]] = [
    ("users", ("lower(email)",), True),
    ("products", ("slug",), True),
    ("products", ("sku",), True),
    ("product_variants", ("sku",), True),
    ("categories", ("slug",), True),
    ("orders", ("reference",), True),
    ("coupons", ("code",), True),
    ("media", ("asset_id",), True),
    ("user_sessions", ("user_id",), None),
    ("user_roles", ("user_id",), None),
    ("user_roles", ("role_id",), None),
    ("product_variants", ("product_id",), None),
    ("product_categories", ("product_id",), None),
    ("product_categories", ("category_id",), None),
    ("categories", ("parent_id",), None),
    ("cart_items", ("cart_id",), None),
    ("cart_items", ("product_variant_id",), None),
    ("orders", ("user_id",), None),
    ("order_items", ("order_id",), None),
    ("payments", ("order_id",), None),
    ("payments", ("user_id",), None),
    ("payments", ("transaction_id",), None),
    ("reviews", ("product_id",), None),
    ("reviews", ("user_id",), None),
    ("addresses", ("user_id",), None),
    ("saved_cards", ("user_id",), None),
    ("carts", ("user_id",), None),
    ("carts", ("session_id",), None),
    ("security_events", ("user_id",), None),
    ("audit_logs", ("user_id",), None),
    ("products", ("status", "created_at"), None),
    ("carts", ("status", "updated_at"), None),
    ("orders", ("user_id", "status", "created_at"), None),
    ("reviews", ("product_id", "status"), None),
    ("user_sessions", ("expires_at", "revoked_at"), None),
    ("audit_logs", ("entity", "entity_id", "created_at"), None),
    ("security_events", ("type",), None),
    ("audit_logs", ("created_at",), None),
]

INDEXES = """
    SELECT t.relname, i.relname, x.indisunique, x.indpred IS NOT NULL, am.amname,
           ARRAY(SELECT pg_get_indexdef(x.indexrelid, k, true)
                   FROM generate_series(1, x.indnkeyatts) AS k ORDER BY k),
           x.indisvalid AND x.indisready
      FROM pg_index x
      JOIN pg_class i ON i.oid = x.indexrelid
      JOIN pg_class t ON t.oid = x.indrelid
      JOIN pg_am am ON am.oid = i.relam
     WHERE t.relnamespace = 'public'::regnamespace AND NOT t.relispartition
       AND t.relname !~ '^_?yoyo'"""


@pytest.fixture(scope="module")
def catalog(schema_db: psycopg.Connection[Any]) -> dict[str, Any]:
    """What the checks below read from the catalog, read once for the module."""
    names = tables(schema_db)
    return {
        "tables": names,
        "columns": {table: columns(schema_db, table) for table in names},
        "indexes": rows(schema_db, INDEXES),
    }


# Tables the seed does not list, on purpose: table -> why it exists. They keep every other rule.
NOT_IN_SEED: dict[str, str] = {
    "category_tree_version": "the one row every change of the category tree updates, so that "
    "no change computed from a stale snapshot commits (0003_catalog.sql, Concurrency)",
    "stock_reservations": "what each order reserved of each variant, so a cancel or a sale moves "
    "exactly its units whatever the inventory policy (issue 23 point 4, "
    "0042_stock_reservations.sql)",
    "review_votes": "one helpful vote per user and review, voting again changes it (issue 23 "
    "point 6, 0062_review_votes.sql)",
    "service_keys": "keys a migration draws once in the database, such as the cursor key every "
    "process of a deployment shares (issue 23 point 9, 0060_service_keys.sql)",
    "product_ratings": "the products' rating counts per star, a read model the reviews_rate "
    "trigger keeps in the transaction of each moderation (issue 21 point 6, "
    "0085_admin_operations.sql)",
    "quality_runs": "the runs of the data-quality checks (issue 21 point 5, 0087_quality_runs.sql)",
    "quality_anomalies": "what each data-quality run found: a check's count of offending rows "
    "and a sample of their ids (issue 21 point 5, 0087_quality_runs.sql)",
    "api_keys": "seed 000's ApiKey (status ACTIVE | REVOKED | EXPIRED), issue 9 point 3 "
    "(0013_api_keys.sql)",
    "outbox_events": "the transactional outbox: domain events written with their change "
    "(issue 21 point 1, 0070_outbox.sql)",
    "outbox_consumers": "one cursor per consumer of the outbox (issue 21 points 2-3, "
    "0070_outbox.sql)",
    "webhook_endpoints": "seed 000's Webhook: receivers of events, their secret sealed (issue "
    "21 point 2, 0071_webhooks.sql)",
    "webhook_deliveries": "one event to one endpoint, leased while in flight (issue 21 point 2, "
    "0071_webhooks.sql)",
    "webhook_attempts": "every attempt of a delivery (issue 21 point 2, 0071_webhooks.sql)",
    "notifications": "seed 000's Notification (issue 21 point 3, 0072_notifications.sql)",
    "notification_preferences": "a user's notification preferences per kind and channel (issue "
    "21 point 3, 0072_notifications.sql)",
    "cart_recovery_events": "seed 000's RecoveryEvent: SENT, OPENED, CLICKED, RECOVERED (issue "
    "21 point 4, 0073_cart_recovery.sql)",
}


def test_the_tables_are_those_of_the_seed(catalog: dict[str, Any]) -> None:
    assert sorted(catalog["tables"]) == sorted([*SEED, *NOT_IN_SEED])


@pytest.mark.parametrize("table", list(SEED))
def test_every_field_of_the_seed_is_a_column_named_in_snake_case(
    catalog: dict[str, Any], table: str
) -> None:
    missing = set(SEED[table].split()) - set(catalog["columns"][table])

    assert not missing


def test_every_table_has_created_at_and_updated_at(catalog: dict[str, Any]) -> None:
    wrong = {
        (table, column): catalog["columns"][table].get(column)
        for table in catalog["tables"]
        for column in ("created_at", "updated_at")
        if catalog["columns"][table].get(column) != ("timestamp with time zone", True, "now()")
    }

    assert not wrong


def test_every_table_keeps_updated_at_with_the_trigger(schema_db: psycopg.Connection[Any]) -> None:
    found = dict(
        rows(
            schema_db,
            """SELECT c.relname, pg_get_triggerdef(t.oid)
                 FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                WHERE t.tgname = c.relname || '_set_updated_at' AND NOT t.tgisinternal
                  AND t.tgenabled = 'O' AND NOT c.relispartition""",
        )
    )

    generated: dict[str, list[str]] = {}
    for table, column in rows(
        schema_db,
        """SELECT c.relname, a.attname
             FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND a.attgenerated = 's' AND NOT a.attisdropped
            ORDER BY a.attnum""",
    ):
        generated.setdefault(table, []).append(f"'{column}'")

    # Generated columns are passed to the trigger, which leaves them out of its comparison.
    for table in tables(schema_db):
        arguments = ", ".join(generated.get(table, []))
        assert found.get(table) == (
            f"CREATE TRIGGER {table}_set_updated_at BEFORE UPDATE ON public.{table} "
            f"FOR EACH ROW EXECUTE FUNCTION set_updated_at({arguments})"
        ), table


def test_every_table_has_a_primary_key_and_a_comment(schema_db: psycopg.Connection[Any]) -> None:
    lacking = rows(
        schema_db,
        """SELECT c.relname,
                  EXISTS (SELECT 1 FROM pg_constraint k
                           WHERE k.conrelid = c.oid AND k.contype = 'p'),
                  coalesce(obj_description(c.oid, 'pg_class'), '') <> ''
             FROM pg_class c
            WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
              AND c.relname !~ '^_?yoyo'""",
    )

    assert [row for row in lacking if not (row[1] and row[2])] == []


def test_every_foreign_key_leads_a_complete_index(schema_db: psycopg.Connection[Any]) -> None:
    # A full (non-partial) index: a delete of the parent must find every referencing row.
    unindexed = rows(
        schema_db,
        """SELECT k.conname FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
            WHERE k.contype = 'f' AND c.relnamespace = 'public'::regnamespace
              AND NOT c.relispartition
              AND NOT EXISTS (
                    SELECT 1 FROM pg_index x
                     WHERE x.indrelid = k.conrelid AND x.indpred IS NULL AND x.indisvalid
                       AND (x.indkey::int2[])[0:cardinality(k.conkey) - 1] = k.conkey)""",
    )

    assert unindexed == []


@pytest.mark.parametrize(("table", "column"), [(t, c) for t, cs in MONEY.items() for c in cs])
def test_money_is_numeric_12_2(catalog: dict[str, Any], table: str, column: str) -> None:
    assert catalog["columns"][table][column][0] == "numeric(12,2)"


def test_every_money_and_quantity_column_has_its_check(schema_db: psycopg.Connection[Any]) -> None:
    found = rows(
        schema_db,
        """SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
                  ARRAY(SELECT pg_get_constraintdef(k.oid) FROM pg_constraint k
                         WHERE k.conrelid = c.oid AND k.contype = 'c'
                           AND k.conkey = ARRAY[a.attnum])
             FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
            WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
              AND NOT c.relispartition AND a.attnum > 0 AND NOT a.attisdropped
              AND a.attgenerated = ''""",
    )
    checked = 0
    for table, column, type_, checks in found:
        is_money = type_ == "numeric(12,2)"
        is_quantity = type_ in ("integer", "bigint") and QUANTITY.match(column)
        if not (is_money or is_quantity):
            continue
        zero = r"\(0\)::numeric" if is_money else "0"
        assert any(re.fullmatch(rf"CHECK \(\({column} >=? {zero}\)\)", c) for c in checks), (
            f"{table}.{column} has no CHECK ({column} >= 0): {checks}"
        )
        checked += 1
    assert checked >= 33  # the filter above still sees the money and quantity columns


def test_no_column_uses_a_type_the_house_avoids(schema_db: psycopg.Connection[Any]) -> None:
    avoided = rows(
        schema_db,
        """SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod)
             FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
            WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
              AND c.relname !~ '^_?yoyo' AND a.attnum > 0 AND NOT a.attisdropped
              AND a.atttypid IN ('json'::regtype, 'timestamp'::regtype, 'varchar'::regtype,
                                 'bpchar'::regtype, 'money'::regtype, 'float4'::regtype,
                                 'float8'::regtype)""",
    )

    assert avoided == []


@pytest.mark.parametrize(
    ("table", "column", "type_"),
    [
        ("user_sessions", "ip_address", "inet"),
        ("security_events", "ip_address", "inet"),
        ("payments", "ip_address", "inet"),
        ("audit_logs", "ip_address", "inet"),
        ("products", "search_keywords", "text[]"),
        ("products", "attributes", "jsonb"),
        ("security_events", "payload", "jsonb"),
        ("orders", "metadata", "jsonb"),
        ("payments", "raw_payload", "jsonb"),
        ("audit_logs", "before", "jsonb"),
        ("products", "search_vector", "tsvector"),
        ("users", "id", "uuid"),
    ],
)
def test_columns_have_the_postgresql_type_that_fits(
    catalog: dict[str, Any], table: str, column: str, type_: str
) -> None:
    assert catalog["columns"][table][column][0] == type_


@pytest.mark.parametrize("table", VERSIONED)
def test_versioned_tables_have_a_version_starting_at_1(catalog: dict[str, Any], table: str) -> None:
    assert catalog["columns"][table]["version"] == ("integer", True, "1")


def test_the_soft_deleted_tables_have_deleted_at_and_indexes_for_both_reads(
    catalog: dict[str, Any],
) -> None:
    with_deleted_at = sorted(t for t in catalog["tables"] if "deleted_at" in catalog["columns"][t])
    assert with_deleted_at == SOFT_DELETED
    for table in SOFT_DELETED:
        indexes = [i for i in catalog["indexes"] if i[0] == table]
        live = [i for i in indexes if i[3]]  # partial: WHERE deleted_at IS NULL
        assert live, f"{table}: no partial index for the reads of live rows"
        assert any(i[5] == ["deleted_at"] for i in indexes), f"{table}: no index on deleted_at"


@pytest.mark.parametrize(
    ("table", "keys", "unique"), SECTION_4, ids=[f"{t}({','.join(k)})" for t, k, _ in SECTION_4]
)
def test_every_index_of_seed_section_4_exists(
    catalog: dict[str, Any], table: str, keys: tuple[str, ...], unique: bool | None
) -> None:
    leading = [
        i
        for i in catalog["indexes"]
        if i[0] == table and tuple(i[5][: len(keys)]) == keys and (unique is None or i[2] == unique)
    ]

    assert leading, f"no index on {table} leads with {keys}"


def test_products_have_a_gin_full_text_index_over_title_summary_description_and_keywords(
    schema_db: psycopg.Connection[Any], catalog: dict[str, Any]
) -> None:
    generated = rows(
        schema_db,
        """SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d
             JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
            WHERE d.adrelid = 'products'::regclass AND a.attname = 'search_vector'
              AND a.attgenerated = 's'""",
    )
    gin = [i for i in catalog["indexes"] if i[0] == "products" and i[4] == "gin"]

    assert generated == [
        ("products_search_document(title, summary, description, search_keywords)",)
    ]
    assert [(i[1], i[5]) for i in gin] == [("products_search_vector_idx", ["search_vector"])]


def test_every_constraint_and_index_has_a_predictable_name(
    schema_db: psycopg.Connection[Any],
) -> None:
    named = rows(
        schema_db,
        """SELECT c.relname, k.conname, k.contype::text,
                  ARRAY(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY u (n, o)
                          JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n
                         ORDER BY u.o)
             FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
            WHERE c.relnamespace = 'public'::regnamespace AND NOT c.relispartition
              AND c.relname !~ '^_?yoyo'
           UNION ALL
           SELECT t.relname, i.relname, CASE WHEN x.indisunique THEN 'ui' ELSE 'i' END, NULL
             FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
             JOIN pg_class t ON t.oid = x.indrelid
            WHERE t.relnamespace = 'public'::regnamespace AND NOT t.relispartition
              AND t.relname !~ '^_?yoyo'
              AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)""",
    )
    # "t": a constraint trigger (0016_money_rules) is named like the CHECK it stands for.
    expected_suffix = {"c": "_check", "t": "_check", "ui": "_key", "i": "_idx"}
    wrong = []
    for table, name, kind, cols in named:
        if kind == "p":
            ok = name == f"{table}_pkey"
        elif kind in ("f", "u"):
            ok = name == f"{table}_{'_'.join(cols)}_{'fkey' if kind == 'f' else 'key'}"
        else:
            ok = name.startswith(f"{table}_") and name.endswith(expected_suffix[kind])
        if not ok:
            wrong.append((table, name, kind))

    assert wrong == []


def test_every_index_is_valid(catalog: dict[str, Any]) -> None:
    assert [i[1] for i in catalog["indexes"] if not i[6]] == []


def test_audit_logs_is_partitioned_by_range_of_created_at(
    schema_db: psycopg.Connection[Any],
) -> None:
    assert rows(schema_db, "SELECT pg_get_partkeydef('audit_logs'::regclass)") == [
        ("RANGE (created_at)",)
    ]
