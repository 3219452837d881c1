"""Valid rows of every table, for tests that then break one rule at a time.

``Rows(conn).insert("orders", tax_amount=-1)`` inserts an order that is valid in every other
respect: each parent row it needs is created fresh, so a test's row shares nothing with
another's (a fresh user has no cart yet, a fresh order no payment).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any
from uuid import uuid4

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

Row = dict[str, Any]
HASH = "$2b$12$" + "x" * 53
NOW = datetime.now(UTC)
# One serial for every Rows of the process: two of them on one connection never collide.
_SERIAL = count(1)


@dataclass(frozen=True)
class _Parent:
    """A default column value: the id of a fresh row of ``table``, made only when needed."""

    table: str


_OWNED = {
    "orders": ("cart_id", "shipping_address_id", "billing_address_id"),
    "payments": ("order_id",),
}
"""The parent columns whose row must belong to the same user (the owner keys of 0031)."""
_OWNED_TABLES = {
    "cart_id": "carts",
    "shipping_address_id": "addresses",
    "billing_address_id": "addresses",
    "order_id": "orders",
}


_ARRAYS = frozenset({"search_keywords", "event_types"})
"""The columns whose list values are SQL arrays (every other list or dict is a jsonb)."""


class Rows:
    """Inserts valid rows of any table on one connection; keyword arguments replace columns."""

    TABLES = (
        "users", "user_sessions", "roles", "permissions", "role_permissions", "user_roles",
        "user_permissions", "security_events", "categories", "products", "product_variants",
        "product_categories", "collections", "product_collections", "inventory", "media",
        "product_media", "variant_media", "carts", "cart_items", "addresses", "orders",
        "order_items", "payments", "saved_cards", "payment_refunds", "reviews", "review_media",
        "coupons", "coupon_usages", "audit_logs", "api_keys", "stock_reservations",
        "review_votes", "service_keys", "product_ratings", "quality_runs", "quality_anomalies",
        "outbox_events", "outbox_consumers",
        "webhook_endpoints", "webhook_deliveries", "webhook_attempts", "notifications",
        "notification_preferences", "cart_recovery_events",
    )  # fmt: skip

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn
        self._serial = _SERIAL
        self._defaults: dict[str, Callable[[int], Row]] = {
            "users": lambda n: {"email": f"rows-user{n}@example.com", "password_hash": HASH},
            "user_sessions": lambda n: {
                "user_id": _Parent("users"),
                "refresh_token_hash": f"{n:064x}",
                "expires_at": NOW + timedelta(days=30),
            },
            "roles": lambda n: {"name": f"role{n}"},
            "permissions": lambda n: {"key": f"domain{n}:read"},
            "role_permissions": lambda n: {
                "role_id": _Parent("roles"),
                "permission_id": _Parent("permissions"),
            },
            "user_roles": lambda n: {"user_id": _Parent("users"), "role_id": _Parent("roles")},
            "user_permissions": lambda n: {
                "user_id": _Parent("users"),
                "permission_id": _Parent("permissions"),
            },
            "security_events": lambda n: {"user_id": _Parent("users"), "type": "LOGIN_SUCCEEDED"},
            "api_keys": lambda n: {
                "user_id": _Parent("users"),
                "name": f"key {n}",
                "prefix": f"sdb_{n:016x}",
                "secret_hash": f"{n:064x}",
            },
            "categories": lambda n: {"name": f"Category {n}", "slug": f"category-{n}"},
            "products": lambda n: {
                "title": f"Product {n}",
                "slug": f"product-{n}",
                "sku": f"P-{n}",
                "price": 100,
            },
            "product_variants": lambda n: {
                "product_id": _Parent("products"),
                "title": f"Variant {n}",
                "sku": f"V-{n}",
                "price": 100,
                # Each builds its own product, and a committed product with variants needs a
                # primary one (0014_primary_variant).
                "is_primary": True,
            },
            "product_categories": lambda n: {
                "product_id": _Parent("products"),
                "category_id": _Parent("categories"),
            },
            "collections": lambda n: {"name": f"Collection {n}", "slug": f"collection-{n}"},
            "product_collections": lambda n: {
                "product_id": _Parent("products"),
                "collection_id": _Parent("collections"),
            },
            "inventory": lambda n: {
                "product_variant_id": _Parent("product_variants"),
                "quantity_on_hand": 10,
                "quantity_reserved": 2,
            },
            "media": lambda n: {
                "asset_id": f"asset-{n}",
                "url": f"https://cdn.example.com/{n}.jpg",
                "type": "IMAGE",
                "provider": "S3",
                "mime_type": "image/jpeg",
                "size_bytes": 1000,
                "width": 640,
                "height": 480,
            },
            "product_media": lambda n: {
                "product_id": _Parent("products"),
                "media_id": _Parent("media"),
            },
            "variant_media": lambda n: {
                "variant_id": _Parent("product_variants"),
                "media_id": _Parent("media"),
            },
            "carts": lambda n: {
                "user_id": _Parent("users"),
                "session_id": f"session-{n}",
                "expires_at": NOW + timedelta(days=7),
            },
            "cart_items": lambda n: {
                "cart_id": _Parent("carts"),
                "product_variant_id": _Parent("product_variants"),
                "quantity": 1,
                "unit_price": 100,
            },
            "addresses": lambda n: {
                "user_id": _Parent("users"),
                "full_name": "Ada Lovelace",
                "line1": "1 Main Street",
                "city": "Istanbul",
                "country": "TR",
            },
            "orders": lambda n: {
                "reference": f"ORD-{n:06d}",
                "user_id": _Parent("users"),
                "cart_id": _Parent("carts"),
                "shipping_address_id": _Parent("addresses"),
                "billing_address_id": _Parent("addresses"),
                "subtotal_amount": 100,
                "tax_amount": 18,
                "discount_amount": 10,
                "total_amount": 108,
            },
            "order_items": lambda n: {
                "order_id": _Parent("orders"),
                "product_id": _Parent("products"),
                "product_variant_id": _Parent("product_variants"),
                "quantity": 1,
                "unit_price": 100,
                "title_snapshot": "Product",
            },
            "payments": lambda n: {
                "order_id": _Parent("orders"),
                "user_id": _Parent("users"),
                "provider": "IYZICO",
                "status": "SETTLED",  # so that it can be refunded (0016_money_rules)
                "transaction_id": f"tx-{n}",
                "amount": 108,
                "paid_price": 108,  # settled for its amount (0040_money_and_state_rules)
            },
            "saved_cards": lambda n: {
                "user_id": _Parent("users"),
                "card_token": f"card-token-{n}",
                "last_four_digits": "4242",
                "expiry_month": 12,
                "expiry_year": 2030,
            },
            "review_votes": lambda n: {
                "review_id": _Parent("reviews"),
                "user_id": _Parent("users"),
                "helpful": True,
            },
            "service_keys": lambda n: {"name": f"test_key_{n}", "secret": bytes(32)},
            "product_ratings": lambda n: {"product_id": _Parent("products")},
            "quality_runs": lambda n: {"checks_run": 1},
            "quality_anomalies": lambda n: {
                "run_id": _Parent("quality_runs"),
                "check_name": f"check_{n}",
                "offending_count": 1,
            },
            "outbox_events": lambda n: {
                "aggregate_type": "order",
                "aggregate_id": uuid4(),
                "sequence": 1,
                "event_type": "order.paid",
                "payload": Jsonb({"n": n}),
            },
            "outbox_consumers": lambda n: {"name": f"consumer_{n}"},
            "webhook_endpoints": lambda n: {
                "url": f"https://hooks.example.com/{n}",
                "event_types": ["order.paid"],
                "secret_sealed": "aesgcm:k1:c2VhbGVk",
            },
            "webhook_deliveries": lambda n: {
                "endpoint_id": _Parent("webhook_endpoints"),
                "event_id": _Parent("outbox_events"),
                "aggregate_type": "order",
                "aggregate_id": uuid4(),
                "sequence": 1,
            },
            "webhook_attempts": lambda n: {
                "delivery_id": _Parent("webhook_deliveries"),
                "attempt": 1,
                "outcome": "FAILED",
                "http_status": 500,
                "latency_ms": 12,
                "error": "HTTP 500",
            },
            "notifications": lambda n: {
                "user_id": _Parent("users"),
                "kind": "order.paid",
                "title": f"Notification {n}",
                "event_id": _Parent("outbox_events"),
            },
            "notification_preferences": lambda n: {
                "user_id": _Parent("users"),
                "kind": "order.paid",
                "channel": "EMAIL",
                "enabled": False,
            },
            "cart_recovery_events": lambda n: {
                "cart_id": _Parent("carts"),
                "kind": "RECOVERED",
                "revenue": 10,
            },
            "stock_reservations": lambda n: {
                "order_id": _Parent("orders"),
                "product_variant_id": _Parent("product_variants"),
                "quantity": 1,
            },
            "payment_refunds": lambda n: {
                "payment_id": _Parent("payments"),
                "amount": 10,
                "refund_id": f"refund-{n}",
            },
            "reviews": lambda n: {
                "product_id": _Parent("products"),
                "user_id": _Parent("users"),
                "order_id": _Parent("orders"),
                "rating": 5,
            },
            "review_media": lambda n: {
                "review_id": _Parent("reviews"),
                "media_id": _Parent("media"),
            },
            "coupons": lambda n: {
                "code": f"CODE{n}",
                "type": "FIXED_AMOUNT",
                "value": 10,
                "usage_limit": 100,
            },
            "coupon_usages": lambda n: {
                "coupon_id": _Parent("coupons"),
                "user_id": _Parent("users"),
                "order_id": _Parent("orders"),
                "discount_amount": 10,
            },
            "audit_logs": lambda n: {
                "user_id": _Parent("users"),
                "actor_type": "USER",
                "action": "update",
                "entity": "orders",
                "entity_id": f"entity-{n}",
            },
        }
        assert set(self._defaults) == set(self.TABLES)

    def values(self, table: str, **overrides: Any) -> Row:
        """The column values of a valid new row (parents inserted), with ``overrides`` applied."""
        values = self._defaults[table](next(self._serial))
        values.update(overrides)
        # Parents are inserted only when the caller did not give the column: a parent made
        # and then replaced would stay behind (an order without items breaks a COMMIT check).
        owned = _OWNED.get(table, ())
        if owned and isinstance(values.get("user_id"), _Parent):
            values["user_id"] = self._user_of(table, values)
        # The parents an owner key ties to the row's user (0031) are made for that user.
        mine = {"user_id": values["user_id"]} if owned else {}
        return {
            k: self.id(v.table, **(mine if k in owned else {})) if isinstance(v, _Parent) else v
            for k, v in values.items()
        }

    def _user_of(self, table: str, values: Row) -> Any:
        """The user of a row with owned parents: the user of a parent the caller gave (a
        payment's order, an order's cart or address), else a new one."""
        for column in _OWNED[table]:
            given = values.get(column)
            if given is not None and not isinstance(given, _Parent):
                parent = sql.Identifier(_OWNED_TABLES[column])
                query = sql.SQL("SELECT user_id FROM {} WHERE id = %s").format(parent)
                row = self.conn.execute(query, [given]).fetchone()
                return None if row is None else row[0]
        return self.id("users")

    def insert(self, table: str, **overrides: Any) -> Row:
        """Insert a valid row of ``table`` with ``overrides`` and return it as stored."""
        return self.insert_values(table, self.values(table, **overrides))

    def insert_values(self, table: str, values: Row) -> Row:
        """Insert exactly these column values and return the stored row."""
        statement = sql.SQL("INSERT INTO {} ({}) VALUES ({}) RETURNING *").format(
            sql.Identifier(table),
            sql.SQL(", ").join(map(sql.Identifier, values)),
            sql.SQL(", ").join(sql.Placeholder() * len(values)),
        )
        params = [
            Jsonb(v) if isinstance(v, dict | list) and k not in _ARRAYS else v
            for k, v in values.items()
        ]
        with self.conn.cursor(row_factory=dict_row) as cur:
            row = cur.execute(statement, params).fetchone()
        assert row is not None
        return row

    def id(self, table: str, **overrides: Any) -> Any:
        """Insert a valid row of ``table`` and return its id."""
        return self.insert(table, **overrides)["id"]
