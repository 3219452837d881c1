"""Every profile is idempotent: a second run adds no row and leaves every natural key unique."""

from __future__ import annotations

import pytest

from shopdb import Database
from shopdb.errors import InvalidInput, UnknownSeedProfile
from shopdb.models import OrderStatus
from shopdb.seeds import PROFILES, SeedReport, seed
from shopdb.seeds.showcase import DEMO_COUPON, LOW_STOCK_ON_HAND, LOW_STOCK_SKU
from tests.seeds.conftest import duplicated_keys


@pytest.mark.usefixtures("admin_env")
@pytest.mark.parametrize("profile", ["prod", "dev", "demo"])
def test_a_second_run_adds_no_row_and_keeps_natural_keys_unique(db: Database, profile: str) -> None:
    first = seed(db, profile, progress=False)
    second = seed(db, profile, progress=False)

    assert sum(first.inserted.values()) > 0
    assert second.counts == first.counts
    assert set(second.inserted.values()) == {0}
    assert duplicated_keys(db) == {}


@pytest.mark.timeout(600)
def test_the_qa_profile_is_idempotent_at_a_few_thousand_rows(db: Database) -> None:
    first = seed(db, "qa", progress=False)
    second = seed(db, "qa", progress=False)

    assert first.counts["products"] == PROFILES["qa"].products
    assert first.counts["users"] == PROFILES["qa"].customers
    assert sum(first.counts.values()) > 5000
    assert second.counts == first.counts
    assert duplicated_keys(db) == {}


def test_profiles_compose_in_any_order_without_duplicates(db: Database, admin_env: str) -> None:
    seed(db, "demo", progress=False)
    seed(db, "dev", progress=False)
    both = seed(db, "prod", progress=False)

    again = [seed(db, name, progress=False) for name in ("dev", "demo", "prod")]

    assert all(report.counts == both.counts for report in again)
    assert duplicated_keys(db) == {}


def test_dev_has_orders_in_every_status_a_category_tree_and_open_carts(db: Database) -> None:
    report = seed(db, "dev", progress=False)

    with db.pool.connection() as conn:
        statuses = {r[0] for r in conn.execute("SELECT DISTINCT status FROM orders")}
        levels = {r[0] for r in conn.execute("SELECT DISTINCT level FROM categories")}
        open_lines = conn.execute(
            "SELECT count(*) FROM cart_items i JOIN carts c ON c.id = i.cart_id "
            "WHERE c.status = 'ACTIVE'"
        ).fetchone()
        unlinked = conn.execute(
            "SELECT count(*) FROM products p WHERE NOT EXISTS "
            "(SELECT 1 FROM product_media m WHERE m.product_id = p.id) OR NOT EXISTS "
            "(SELECT 1 FROM product_categories c WHERE c.product_id = p.id)"
        ).fetchone()
    assert statuses == set(OrderStatus)
    assert levels == {0, 1}
    assert open_lines is not None and open_lines[0] > 0
    assert unlinked == (0,)
    assert report.counts["inventory"] == report.counts["product_variants"]
    assert report.counts["payments"] == 4  # PAID, FULFILLED, SHIPPED, DELIVERED


def test_seeded_orders_obey_the_stock_rules(db: Database) -> None:
    seed(db, "dev", progress=False)

    with db.pool.connection() as conn:
        reserved = conn.execute(
            "SELECT coalesce(sum(i.quantity), 0) FROM order_items i JOIN orders o "
            "ON o.id = i.order_id WHERE o.status IN ('PENDING', 'PAID')"
        ).fetchone()
        held = conn.execute("SELECT sum(quantity_reserved) FROM inventory").fetchone()
    assert reserved == held


def test_demo_has_the_coupon_the_story_uses_and_a_low_stock_variant(db: Database) -> None:
    seed(db, "demo", progress=False)

    coupon = db.coupons.get_by_code(DEMO_COUPON.lower())
    product = db.products.find_by_sku(LOW_STOCK_SKU)
    assert coupon.is_active
    assert product is not None
    low = db.inventory.low_stock()
    assert [row.quantity_available for row in low] == [LOW_STOCK_ON_HAND]
    assert [c.slug for c in db.categories.tree() if c.level == 0] == [
        "electronics",
        "home-kitchen",
        "outdoors",
    ]
    assert db.products.search("headphones", limit=5).items


def test_scale_multiplies_the_generated_rows(db: Database) -> None:
    single = seed(db, "dev", progress=False)
    double = seed(db, "dev", scale=3, progress=False)
    profile = PROFILES["dev"]

    assert single.counts["products"] == profile.products
    assert double.counts["products"] == 3 * profile.products
    assert double.counts["users"] == 3 * profile.customers
    assert double.counts["orders"] == 3 * single.counts["orders"]
    assert double.counts["categories"] == single.counts["categories"]
    assert duplicated_keys(db) == {}


def test_a_larger_scale_after_a_smaller_one_adds_the_rows_past_the_old_ones(db: Database) -> None:
    single = seed(db, "dev", progress=False)
    double = seed(db, "dev", scale=2, progress=False)
    again = seed(db, "dev", scale=2, progress=False)
    profile = PROFILES["dev"]

    assert double.inserted["products"] == profile.products
    assert double.counts["users"] == 2 * profile.customers
    assert double.counts["orders"] == 2 * single.counts["orders"]
    assert set(again.inserted.values()) == {0}
    assert duplicated_keys(db) == {}


def test_an_unknown_profile_is_refused_before_anything_is_written(db: Database) -> None:
    with pytest.raises(UnknownSeedProfile, match="choose one of prod, dev, qa, demo"):
        seed(db, "staging")
    with pytest.raises(InvalidInput, match="scale"):
        seed(db, "dev", scale=0)
    assert db.users.count() == 0


def test_the_report_names_the_profile_scale_counts_and_time(db: Database) -> None:
    report = seed(db, "demo", scale=2, progress=False)

    assert isinstance(report, SeedReport)
    assert (report.profile, report.scale) == ("demo", 2)
    assert report.seconds > 0
    assert report.counts["users"] == 2 * PROFILES["demo"].customers
    assert report.inserted == report.counts
