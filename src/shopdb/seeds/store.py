"""SeedRepository: the bulk writes of the seed profiles (shopdb.seeds) over sql/seeds.sql.

Not an aggregate and not an attribute of Database: the seeds bind it to their transaction
with ``tx.repository(SeedRepository)``. Generated rows go in by COPY, and only those whose
natural key is not in the database yet (``insert_missing``), which makes a second run a no-op.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from shopdb.core.queries import tools_sql_dir
from shopdb.core.repository import Repository
from shopdb.models.seeds import NaturalKey, RowId, SeededOrder, TableCount

Row = Sequence[Any]


class SeedRepository(Repository):
    """Upserts on natural keys and COPY of the rows that are missing; one transaction."""

    namespace = "seeds"
    entity = "seed row"
    sql_directory = tools_sql_dir()
    locks = {"lock_seeding": None}
    queries = {
        "upsert_roles": None,
        "upsert_permissions": None,
        "link_role_permissions": None,
        "assign_role_to_users": None,
        "users_by_email": NaturalKey,
        "copy_users": None,
        "users_with_address": RowId,
        "copy_addresses": None,
        "products_by_slug": NaturalKey,
        "copy_products": None,
        "variants_by_sku": NaturalKey,
        "copy_variants": None,
        "variants_with_inventory": RowId,
        "copy_inventory": None,
        "media_by_asset": NaturalKey,
        "copy_media": None,
        "products_with_media": RowId,
        "copy_product_media": None,
        "products_with_categories": RowId,
        "copy_product_categories": None,
        "order_by_idempotency_key": SeededOrder,
        "count_rows": TableCount,
    }

    def lock(self) -> None:
        """Serialize seed runs on this database until the transaction ends."""
        self._lock("lock_seeding", None)

    def upsert_roles(self, roles: Sequence[tuple[str, str]]) -> int:
        """Roles by name with their descriptions; returns the rows written."""
        return self._count(
            "upsert_roles", names=[n for n, _ in roles], descriptions=[d for _, d in roles]
        )

    def upsert_permissions(self, permissions: Sequence[tuple[str, str]]) -> int:
        """Permissions by key (domain:action) with their descriptions; rows written."""
        return self._count(
            "upsert_permissions",
            keys=[k for k, _ in permissions],
            descriptions=[d for _, d in permissions],
        )

    def link_role_permissions(self, links: Sequence[tuple[str, str]]) -> int:
        """Grant each (role name, permission key) not granted yet; returns how many."""
        return self._count(
            "link_role_permissions",
            role_names=[r for r, _ in links],
            permission_keys=[p for _, p in links],
        )

    def assign_role(self, user_ids: Sequence[UUID], role_name: str) -> int:
        """Give the role to each user that lacks it; returns how many got it."""
        return self._count("assign_role_to_users", user_ids=list(user_ids), role_name=role_name)

    def ids(self, lookup: str, keys: Sequence[str]) -> dict[str, UUID]:
        """Natural key -> id of the rows a ``*_by_*`` lookup finds (emails lower-cased)."""
        param = _LOOKUP_PARAMS[lookup]
        found = self._list(lookup, NaturalKey, **{param: list(keys)})
        if lookup == "users_by_email":
            return {row.key.lower(): row.id for row in found}
        return {row.key: row.id for row in found}

    def having(self, lookup: str, ids: Sequence[UUID]) -> set[UUID]:
        """Which of ``ids`` already have what a ``*_with_*`` lookup asks about."""
        param = _LOOKUP_PARAMS[lookup]
        return {row.id for row in self._list(lookup, RowId, **{param: list(ids)})}

    def copy(self, name: str, rows: Sequence[Row]) -> int:
        """Stream ``rows`` through the ``copy_*`` statement ``name``."""
        return self._copy(name, rows) if rows else 0

    def seeded_order(self, idempotency_key: str) -> SeededOrder | None:
        """The order a seeded checkout with this key placed, or None."""
        return self._find("order_by_idempotency_key", SeededOrder, idempotency_key=idempotency_key)

    def counts(self) -> dict[str, int]:
        """Rows per table the seeds write, by table name."""
        return {row.table_name: row.row_count for row in self._list("count_rows", TableCount)}


_LOOKUP_PARAMS = {
    "users_by_email": "emails",
    "products_by_slug": "slugs",
    "variants_by_sku": "skus",
    "media_by_asset": "asset_ids",
    "users_with_address": "user_ids",
    "variants_with_inventory": "variant_ids",
    "products_with_media": "product_ids",
    "products_with_categories": "product_ids",
}
