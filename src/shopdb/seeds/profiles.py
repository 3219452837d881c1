"""The seed profiles: what each one writes, and how much of it (before ``--scale``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType


class Catalogue(StrEnum):
    """Where a profile's products come from."""

    NONE = "none"
    GENERATED = "generated"  # made up from word lists, deterministic, as many as asked
    SHOWCASE = "showcase"  # the hand-written demo set (shopdb.seeds.showcase)


@dataclass(frozen=True, slots=True)
class Profile:
    """One seed profile. Every profile writes the roles and permissions; the counts below are
    multiplied by ``scale`` (the category tree and the showcase catalogue are not)."""

    name: str
    summary: str
    admin: bool = False
    catalogue: Catalogue = Catalogue.NONE
    category_roots: int = 0
    categories_per_root: int = 0
    products: int = 0
    customers: int = 0
    orders_per_status: int = 0
    open_carts: int = 0


PROFILES: Mapping[str, Profile] = MappingProxyType(
    {
        "prod": Profile(
            "prod",
            "roles, permissions and the admin user (SHOPDB_ADMIN_PASSWORD); nothing else",
            admin=True,
        ),
        "dev": Profile(
            "dev",
            "a small catalogue and a few customers with carts and orders in every status",
            catalogue=Catalogue.GENERATED,
            category_roots=3,
            categories_per_root=3,
            products=24,
            customers=8,
            orders_per_status=1,
            open_carts=2,
        ),
        "qa": Profile(
            "qa",
            "the dev data at a few thousand rows",
            catalogue=Catalogue.GENERATED,
            category_roots=6,
            categories_per_root=5,
            products=1500,
            customers=1000,
            orders_per_status=40,
            open_carts=50,
        ),
        "demo": Profile(
            "demo",
            "a showcase shop: named products to browse, the WELCOME10 coupon, a low-stock item",
            catalogue=Catalogue.SHOWCASE,
            customers=4,
            orders_per_status=1,
            open_carts=1,
        ),
    }
)
"""Every profile by name: ``shopdb seed --profile NAME``."""
