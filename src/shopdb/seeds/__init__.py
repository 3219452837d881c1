"""Idempotent seed profiles: ``seed(db, "dev")`` or ``shopdb seed --profile dev``.

Every profile runs in one transaction and writes rows by their natural keys (emails, slugs,
SKUs, coupon codes, role names, permission keys, the idempotency keys of seeded checkouts):
a second run finds them all and writes nothing. docs/seeds.md is the guide.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from time import perf_counter
from typing import TYPE_CHECKING

from shopdb.extras import require

# argon2: the prod admin's hash (passwords.py); rich: the progress bar on a terminal, imported
# when a run draws it, checked here so that a seed never fails halfway for want of it.
require("shopdb.seeds", "argon2", "rich")

from shopdb.core.errors import InvalidInput
from shopdb.models.seeds import UnknownSeedProfile
from shopdb.seeds import generated, showcase
from shopdb.seeds.access import admin_from_environment, seed_access, seed_admin
from shopdb.seeds.catalog import CatalogueIds, seed_categories, seed_products
from shopdb.seeds.customers import seed_customers
from shopdb.seeds.orders import Shoppers, seed_open_carts, seed_orders
from shopdb.seeds.passwords import unusable_hash
from shopdb.seeds.profiles import PROFILES, Catalogue, Profile
from shopdb.seeds.progress import Progress, log, progress_for
from shopdb.seeds.promotions import seed_collections, seed_coupons
from shopdb.seeds.store import SeedRepository

if TYPE_CHECKING:
    from shopdb.database import Database
    from shopdb.transaction import Transaction

__all__ = ["PROFILES", "Profile", "SeedReport", "seed"]


@dataclass(frozen=True, slots=True)
class SeedReport:
    """What a seed run left: rows per table after it (``counts``), rows it added
    (``inserted``, all 0 on a repeated run), and how long it took."""

    profile: str
    scale: int
    counts: dict[str, int]
    seconds: float
    inserted: dict[str, int] = field(default_factory=dict)


def seed(db: Database, profile: str, *, scale: int = 1, progress: bool | None = None) -> SeedReport:
    """Seed ``profile`` (one of PROFILES) into ``db`` in one transaction, ``scale`` times the
    profile's generated rows. ``progress``: True a rich bar, False the ``shopdb.seeds`` logger
    only, None a bar on a terminal and plain lines otherwise (on standard error).
    Raises UnknownSeedProfile, InvalidInput (scale below 1), SeedConfigurationError (prod
    without SHOPDB_ADMIN_PASSWORD: nothing is written)."""
    chosen = PROFILES.get(profile)
    if chosen is None:
        raise UnknownSeedProfile(
            f"no seed profile {profile!r}: choose one of {', '.join(PROFILES)}"
        )
    if scale < 1:
        raise InvalidInput(f"scale must be 1 or more, not {scale}")
    admin = admin_from_environment() if chosen.admin else None
    started = perf_counter()
    with progress_for(chosen.name, progress) as bar, db.transaction() as tx:
        store = tx.repository(SeedRepository)
        store.lock()
        before = store.counts()
        seed_access(store)
        if admin is not None:
            seed_admin(tx, admin)
        _catalogue_and_customers(tx, store, chosen, scale, bar)
        after = store.counts()
    seconds = perf_counter() - started
    inserted = {table: after[table] - before.get(table, 0) for table in after}
    log.info(
        "seed %s (scale %d): %d rows added in %.2f s",
        chosen.name, scale, sum(inserted.values()), seconds,
    )  # fmt: skip
    return SeedReport(chosen.name, scale, after, round(seconds, 3), inserted)


def _catalogue_and_customers(
    tx: Transaction, store: SeedRepository, profile: Profile, scale: int, bar: Progress
) -> None:
    if profile.catalogue is Catalogue.NONE:
        return
    ids = CatalogueIds()
    if profile.catalogue is Catalogue.SHOWCASE:
        categories, products = list(showcase.CATEGORIES), list(showcase.PRODUCTS)
        customers = list(showcase.CUSTOMERS)
        customers += generated.customers(profile.name, profile.customers * scale - len(customers))
    else:
        categories = generated.categories(
            profile.name, profile.category_roots, profile.categories_per_root
        )
        products = generated.products(
            profile.name,
            profile.category_roots,
            profile.categories_per_root,
            profile.products * scale,
        )
        customers = generated.customers(profile.name, profile.customers * scale)
    seed_categories(tx, categories, ids)
    seed_products(store, products, ids, bar)
    seed_coupons(tx, showcase.COUPONS)
    if profile.catalogue is Catalogue.SHOWCASE:
        seed_collections(tx, showcase.COLLECTIONS, ids.products)
    customer_ids = seed_customers(store, customers, unusable_hash(), bar)
    sellable = [vid for sku, vid in sorted(ids.variants.items()) if sku != showcase.LOW_STOCK_SKU]
    shoppers = Shoppers(profile.name, customer_ids, sellable, showcase.DEMO_COUPON)
    seed_orders(tx, store, shoppers, profile.orders_per_status * scale, bar)
    seed_open_carts(tx, shoppers, profile.open_carts * scale, bar)
