"""Seed tests commit (each profile is one transaction of its own), so they take ``db``: an
open Database on the test's own migrated copy."""

from __future__ import annotations

from typing import Any

import pytest

from shopdb import Database

ADMIN_PASSWORD = "Tr0ub4dor&3-seed-test-secret"

# Natural keys that must be unique after any number of runs, as (table, key expression).
NATURAL_KEYS = (
    ("roles", "name"),
    ("permissions", "key"),
    ("role_permissions", "role_id, permission_id"),
    ("users", "lower(email)"),
    ("user_roles", "user_id, role_id"),
    ("categories", "slug"),
    ("collections", "slug"),
    ("products", "slug"),
    ("product_variants", "sku"),
    ("inventory", "product_variant_id"),
    ("media", "asset_id"),
    ("product_media", "product_id, media_id"),
    ("product_categories", "product_id, category_id"),
    ("coupons", "code"),
    ("orders", "idempotency_key"),
)


@pytest.fixture
def admin_env(monkeypatch: pytest.MonkeyPatch) -> str:
    """SHOPDB_ADMIN_PASSWORD set for the test (and SHOPDB_ADMIN_EMAIL unset)."""
    monkeypatch.setenv("SHOPDB_ADMIN_PASSWORD", ADMIN_PASSWORD)
    monkeypatch.delenv("SHOPDB_ADMIN_EMAIL", raising=False)
    return ADMIN_PASSWORD


def duplicated_keys(db: Database) -> dict[str, int]:
    """Per table, how many natural-key values occur more than once (empty when none do)."""
    found: dict[str, int] = {}
    with db.pool.connection() as conn:
        for table, key in NATURAL_KEYS:
            row: Any = conn.execute(
                f"SELECT count(*) FROM (SELECT {key} FROM {table} GROUP BY {key} "  # noqa: S608
                "HAVING count(*) > 1) AS d"
            ).fetchone()
            if row[0]:
                found[table] = row[0]
    return found
