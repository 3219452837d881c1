"""SeedRepository: the bulk writes of the seed profiles (shopdb.seeds) over sql/seeds.sql.

Not an aggregate and not an attribute of Database: the seeds bind it to their transaction
with ``tx.repository(SeedRepository)``. Generated rows go in by COPY, and only those whose
natural key is not in the database yet (``insert_missing``), which makes a second run a no-op.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import Any
from uuid import UUID

from shopdb.core.queries import tools_sql_dir
from shopdb.core.repository import Repository
from shopdb.models.seeds import NaturalKey, RowId, SeededOrder, TableCount

Row = Sequence[Any]


class NaturalKeyLookup(Enum):
    """The ``*_by_*`` queries of ``SeedRepository.ids``: each is its query, the parameter
    that takes the keys, and whether the keys compare in any letter case (emails)."""

    USERS_BY_EMAIL = ("users_by_email", "emails", True)
    PRODUCTS_BY_SLUG = ("products_by_slug", "slugs", False)
    VARIANTS_BY_SKU = ("variants_by_sku", "skus", False)
    MEDIA_BY_ASSET = ("media_by_asset", "asset_ids", False)

    def __init__(self, query: str, param: str, any_case: bool) -> None:
        self.query = query
        self.param = param
        self.any_case = any_case


class HavingLookup(Enum):
    """The ``*_with_*`` queries of ``SeedRepository.having``: each is its query and the
    parameter that takes the ids."""

    USERS_WITH_ADDRESS = ("users_with_address", "user_ids")
    VARIANTS_WITH_INVENTORY = ("variants_with_inventory", "variant_ids")
    PRODUCTS_WITH_MEDIA = ("products_with_media", "product_ids")
    PRODUCTS_WITH_CATEGORIES = ("products_with_categories", "product_ids")

    def __init__(self, query: str, param: str) -> None:
        self.query = query
        self.param = param


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

    def ids(self, lookup: NaturalKeyLookup, keys: Sequence[str]) -> dict[str, UUID]:
        """Natural key -> id of the rows the lookup finds (lower-cased if any case matches)."""
        found = self._list(lookup.query, NaturalKey, **{lookup.param: list(keys)})
        if lookup.any_case:
            return {row.key.lower(): row.id for row in found}
        return {row.key: row.id for row in found}

    def having(self, lookup: HavingLookup, ids: Sequence[UUID]) -> set[UUID]:
        """Which of ``ids`` already have what the lookup asks about."""
        rows = self._list(lookup.query, RowId, **{lookup.param: list(ids)})
        return {row.id for row in rows}

    def copy(self, name: str, rows: Sequence[Row]) -> int:
        """Stream ``rows`` through the ``copy_*`` statement ``name``."""
        return self._copy(name, rows) if rows else 0

    def seeded_order(self, idempotency_key: str) -> SeededOrder | None:
        """The order a seeded checkout with this key placed, or None."""
        return self._find("order_by_idempotency_key", SeededOrder, idempotency_key=idempotency_key)

    def counts(self) -> dict[str, int]:
        """Rows per table the seeds write, by table name."""
        return {row.table_name: row.row_count for row in self._list("count_rows", TableCount)}
