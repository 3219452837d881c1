"""ProductRepository on a real PostgreSQL: every method, its errors, listings, search, details.

Each test runs in the ``tx`` fixture's transaction (rolled back after it); tests of what only a
COMMIT shows are in test_primary_variant.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from shopdb import Database, Settings, Transaction
from shopdb.errors import (
    ConflictError,
    ConstraintViolation,
    InvalidCursor,
    InvalidInput,
    NotFoundError,
    StaleVersionError,
)
from shopdb.models import (
    Actor,
    Product,
    ProductFilters,
    ProductHit,
    ProductPatch,
    ProductSort,
    ProductStatus,
    VariantPatch,
)
from shopdb.repositories import products as products_module
from shopdb.testing import with_settings
from tests.support.catalog import category, collection, medium, new_product, new_variant, unique
from tests.support.factories import new_user


def slugs(products: Sequence[Product]) -> list[str]:
    return [product.slug for product in products]


def newest_first(products: Sequence[Product]) -> list[str]:
    """The slugs in the listing's order: (created_at, id) descending (ids break the ties of
    one transaction, whose rows share created_at)."""
    return slugs(sorted(products, key=lambda p: (p.created_at, p.id), reverse=True))


def every_page(
    tx: Transaction, filters: ProductFilters, sort: ProductSort, limit: int
) -> list[str]:
    """The slugs of every page of a listing, following next_cursor."""
    found: list[str] = []
    cursor = None
    while True:
        page = tx.products.list_active(filters, sort=sort, limit=limit, cursor=cursor)
        found += slugs(list(page.items))
        if page.next_cursor is None:
            return found
        cursor = page.next_cursor


# --- create_with_variants ------------------------------------------------------------------


def test_create_with_variants_writes_product_variants_stock_and_categories(tx: Transaction) -> None:
    shoes, boots = category(tx), category(tx)
    new = new_product(
        variants=3, category_ids=[shoes, boots], primary_category_id=boots, title="Boot"
    )
    details = tx.products.create_with_variants(new)

    assert details.product.title == "Boot"
    assert details.product.version == 1
    assert details.variants[0].sku == new.variants[0].sku
    assert details.primary_variant is not None
    assert details.primary_variant.sku == new.variants[0].sku
    assert sorted(v.sku for v in details.variants) == sorted(v.sku for v in new.variants)
    assert {v.quantity_available for v in details.variants} == {10}
    assert {c.category_id: c.is_primary for c in details.categories} == {
        shoes: False,
        boots: True,
    }
    stock = tx.inventory.get_for_variant(details.variants[1].id)
    assert (stock.quantity_on_hand, stock.quantity_reserved) == (10, 0)


def test_a_product_must_come_with_exactly_one_primary_variant() -> None:
    with pytest.raises(InvalidInput, match="exactly one variant must be primary"):
        new_product(variants=[new_variant(), new_variant()])
    with pytest.raises(InvalidInput, match="exactly one variant must be primary"):
        new_product(variants=[new_variant(is_primary=True), new_variant(is_primary=True)])
    with pytest.raises(InvalidInput, match="at least 1"):
        new_product(variants=[])


def test_a_product_refuses_variants_sharing_a_sku_and_a_stray_primary_category() -> None:
    with pytest.raises(InvalidInput, match="skus must differ"):
        new_product(variants=[new_variant(is_primary=True, sku="x"), new_variant(sku="x")])
    with pytest.raises(InvalidInput, match="primary_category_id"):
        new_product(category_ids=[], primary_category_id=uuid4())


def test_a_taken_slug_or_sku_is_a_conflict_and_writes_nothing(tx: Transaction) -> None:
    first = tx.products.create_with_variants(new_product())
    with pytest.raises(ConflictError, match="a product with this slug exists") as caught:
        tx.products.create_with_variants(new_product(slug=first.product.slug))
    assert caught.value.constraint == "products_slug_key"
    taken = first.variants[0].sku
    with pytest.raises(ConflictError, match="a variant with this sku exists"):
        tx.products.create_with_variants(
            new_product(variants=[new_variant(sku=taken, is_primary=True)])
        )
    assert tx.products.list_page(ProductFilters(status=None)).total == 1


def test_an_unknown_category_is_refused_and_nothing_is_written(tx: Transaction) -> None:
    new = new_product(category_ids=[uuid4()])
    with pytest.raises(ConstraintViolation) as caught:
        tx.products.create_with_variants(new)
    assert caught.value.constraint == "product_categories_category_id_fkey"
    with pytest.raises(NotFoundError):
        tx.products.get_by_slug(new.slug)


# --- reads ---------------------------------------------------------------------------------


def test_get_get_by_slug_and_find_by_sku(tx: Transaction) -> None:
    details = tx.products.create_with_variants(new_product(sku=unique("own")))
    product = details.product
    assert tx.products.get(product.id) == product
    assert tx.products.get_by_slug(product.slug) == product
    assert tx.products.find_by_sku(product.sku or "") == product
    assert tx.products.find_by_sku(details.variants[0].sku) == product
    assert tx.products.find_by_sku("no-such-sku") is None
    with pytest.raises(NotFoundError, match="product"):
        tx.products.get(uuid4())
    with pytest.raises(NotFoundError):
        tx.products.get_by_slug("no-such-slug")
    assert tx.products.get_variant(details.variants[0].id).sku == details.variants[0].sku
    with pytest.raises(NotFoundError):
        tx.products.get_variant(uuid4())


def test_list_active_is_newest_first_over_every_page_and_only_active(tx: Transaction) -> None:
    made = [tx.products.create_with_variants(new_product()).product for _ in range(7)]
    tx.products.create_with_variants(new_product(status="DRAFT"))
    gone = tx.products.create_with_variants(new_product()).product
    tx.products.soft_delete(gone.id)

    assert every_page(tx, ProductFilters(), ProductSort.NEWEST, limit=3) == newest_first(made)
    drafts = tx.products.list_active(ProductFilters(status=ProductStatus.DRAFT))
    assert len(drafts.items) == 1


def test_list_active_by_price_keeps_decimal_cursors_exact(tx: Transaction) -> None:
    prices = ["0.10", "0.01", "19.99", "0.10", "5.00", "1000000000.00", "0.00"]
    made = {
        tx.products.create_with_variants(new_product(price=Decimal(p))).product.slug: Decimal(p)
        for p in prices
    }
    cheapest = every_page(tx, ProductFilters(), ProductSort.PRICE_ASC, limit=2)
    dearest = every_page(tx, ProductFilters(), ProductSort.PRICE_DESC, limit=2)

    assert [made[s] for s in cheapest] == sorted(made.values())
    assert [made[s] for s in dearest] == sorted(made.values(), reverse=True)
    assert sorted(cheapest) == sorted(made) and cheapest == dearest[::-1]


def test_list_active_filters_by_price_range_and_collection(tx: Transaction) -> None:
    cheap, mid, dear = (
        tx.products.create_with_variants(new_product(price=Decimal(p))).product
        for p in ("1.00", "50.00", "99.99")
    )
    sale = collection(tx, [dear.id, cheap.id])
    ranged = ProductFilters(min_price=Decimal("1.00"), max_price=Decimal("50.00"))
    assert sorted(slugs(tx.products.list_active(ranged).items)) == sorted([cheap.slug, mid.slug])
    in_sale = tx.products.list_active(
        ProductFilters(collection_id=sale), sort=ProductSort.PRICE_ASC
    )
    assert slugs(in_sale.items) == [cheap.slug, dear.slug]
    both = ProductFilters(collection_id=sale, min_price=Decimal("2"))
    assert slugs(tx.products.list_active(both).items) == [dear.slug]


def test_the_category_filter_includes_every_category_below_it(tx: Transaction) -> None:
    clothes = category(tx)
    shirts = category(tx, clothes)
    polos = category(tx, shirts)
    shoes = category(tx)
    in_polos = tx.products.create_with_variants(new_product(category_ids=[polos])).product
    in_shirts = tx.products.create_with_variants(new_product(category_ids=[shirts])).product
    in_shoes = tx.products.create_with_variants(new_product(category_ids=[shoes])).product
    both = tx.products.create_with_variants(new_product(category_ids=[shoes, polos])).product

    def listed(category_id: UUID) -> set[str]:
        return set(slugs(tx.products.list_active(ProductFilters(category_id=category_id)).items))

    assert listed(clothes) == {in_polos.slug, in_shirts.slug, both.slug}
    assert listed(shirts) == {in_polos.slug, in_shirts.slug, both.slug}
    assert listed(polos) == {in_polos.slug, both.slug}
    assert listed(shoes) == {in_shoes.slug, both.slug}
    assert listed(uuid4()) == set()


def test_a_cursor_is_refused_for_other_filters_or_another_sort(tx: Transaction) -> None:
    for _ in range(3):
        tx.products.create_with_variants(new_product())
    page = tx.products.list_active(limit=1)
    assert page.next_cursor is not None
    with pytest.raises(InvalidCursor):
        tx.products.list_active(ProductFilters(min_price=Decimal(1)), cursor=page.next_cursor)
    with pytest.raises(InvalidCursor):
        tx.products.list_active(sort=ProductSort.PRICE_ASC, cursor=page.next_cursor)
    with pytest.raises(InvalidCursor):
        tx.products.list_active(cursor="forged.cursor")


def test_list_page_counts_and_offsets(tx: Transaction) -> None:
    made = [tx.products.create_with_variants(new_product()).product for _ in range(5)]
    tx.products.create_with_variants(new_product(status="DRAFT"))
    second = tx.products.list_page(page=2, per_page=2)
    assert (second.total, second.pages, second.has_next) == (5, 3, True)
    assert slugs(second.items) == newest_first(made)[2:4]
    assert tx.products.list_page(ProductFilters(status=None)).total == 6
    with pytest.raises(InvalidInput):
        tx.products.list_page(page=0)


# --- search --------------------------------------------------------------------------------


def test_search_ranks_title_above_description_and_prefixes_the_last_word(tx: Transaction) -> None:
    in_title = tx.products.create_with_variants(new_product(title="Linen summer dress")).product
    in_text = tx.products.create_with_variants(
        new_product(title="Plain skirt", description="pairs well with a linen summer top")
    ).product
    tx.products.create_with_variants(new_product(title="Wool coat"))

    hits = tx.products.search("linen summ").items
    assert slugs(list(hits)) == [in_title.slug, in_text.slug]
    assert hits[0].rank > hits[1].rank
    assert slugs(list(tx.products.search("DRESS").items)) == [in_title.slug]
    assert slugs(list(tx.products.search("wool dress").items)) == []


def test_search_pages_with_a_cursor_and_takes_the_filters(tx: Transaction) -> None:
    made = {
        tx.products.create_with_variants(
            new_product(title=f"Red scarf {n}", price=Decimal(n))
        ).product.slug
        for n in range(1, 6)
    }
    first = tx.products.search("scarf", limit=2)
    seen = slugs(list(first.items))
    cursor = first.next_cursor
    while cursor is not None:
        page = tx.products.search("scarf", limit=2, cursor=cursor)
        seen += slugs(list(page.items))
        cursor = page.next_cursor
    assert sorted(seen) == sorted(made)
    cheap = tx.products.search("red", ProductFilters(max_price=Decimal(2)))
    assert len(cheap.items) == 2
    with pytest.raises(InvalidCursor):
        tx.products.search("red", cursor=first.next_cursor)


@pytest.mark.sync_only
def test_search_ranks_window_by_window_and_pages_through_every_match(
    tx: Transaction, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(products_module, "MIN_SEARCH_WINDOW", 3)
    monkeypatch.setattr(products_module.ProductRepository, "max_page_size", 2)
    made = [
        tx.products.create_with_variants(
            new_product(
                title=f"Scarf {n}" if n % 2 else f"Knit {n}",
                description=None if n % 2 else "a scarf, knitted",
            )
        ).product
        for n in range(8)
    ]
    newest_first = sorted(made, key=lambda product: product.id, reverse=True)
    windows = [newest_first[start : start + 3] for start in range(0, 8, 3)]

    seen: list[ProductHit] = []
    cursor = None
    for _ in range(8):
        page = tx.products.search("scarf", limit=2, cursor=cursor)
        seen += page.items
        cursor = page.next_cursor
        if cursor is None:
            break

    assert sorted(hit.id for hit in seen) == sorted(product.id for product in made)
    ranks = {hit.id: hit.rank for hit in seen}
    expected = [
        product.id
        for window in windows
        for product in sorted(window, key=lambda p: (ranks[p.id], p.id), reverse=True)
    ]
    assert [hit.id for hit in seen] == expected
    in_title = {product.id for product in made if product.title.startswith("Scarf")}
    assert all(ranks[a] > ranks[b] for a in in_title for b in ranks.keys() - in_title)


@pytest.mark.sync_only
def test_search_pages_on_when_a_page_ends_exactly_at_the_end_of_a_window(
    tx: Transaction, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The largest page is as large as a window: the window grows to one more than a page,
    # else a page ending a window would be followed by a short page and no cursor.
    monkeypatch.setattr(products_module, "MIN_SEARCH_WINDOW", 2)
    monkeypatch.setattr(products_module.ProductRepository, "max_page_size", 2)
    made = {
        tx.products.create_with_variants(new_product(title=f"Shawl {n}")).product.id
        for n in range(8)
    }

    seen: list[UUID] = []
    cursor = None
    for _ in range(8):
        page = tx.products.search("shawl", limit=2, cursor=cursor)
        seen += [hit.id for hit in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break

    assert sorted(seen) == sorted(made)


@pytest.mark.direct_only  # counts server-side prepared statements: none behind PgBouncer
def test_search_is_planned_with_its_values_on_every_call(settings: Settings) -> None:
    one_connection = with_settings(settings, database_pool_min=1, database_pool_max=1)
    with Database(one_connection) as db:
        product = db.products.create_with_variants(new_product(title="Planned scarf")).product
        for _ in range(8):  # past prepare_threshold (5)
            assert [hit.id for hit in db.products.search("planned").items] == [product.id]
            assert db.products.get(product.id).id == product.id
        with db.pool.connection() as conn:
            rows = conn.execute(
                "SELECT statement FROM pg_prepared_statements WHERE statement LIKE '/* shopdb:%'"
            ).fetchall()
    prepared = {row[0].split(" */")[0] for row in rows}
    assert "/* shopdb:products.get" in prepared
    assert "/* shopdb:products.search" not in prepared


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "!!! &&& ||| ::: ***",
        "'); DROP TABLE products; --",
        "a & | ! <-> : * ( ) \\ ' \"",
        "shirt:* | !shirt",
        "\x00shirt\x00",
        "shirt " * 20_000,
        "ğüşiöç ŞİRT",
    ],
)
def test_search_is_safe_on_empty_huge_and_malicious_text(tx: Transaction, text: str) -> None:
    tx.products.create_with_variants(new_product(title="Shirt"))
    page = tx.products.search(text)
    expected = 1 if "shirt" in text.lower().replace("\x00", " ") else 0
    assert len(page.items) == expected
    assert tx.products.list_page(ProductFilters(status=None)).total == 1


# --- writes --------------------------------------------------------------------------------


def test_update_applies_the_patch_and_refuses_a_stale_version(tx: Transaction) -> None:
    product = tx.products.create_with_variants(new_product(summary="old")).product
    patch = ProductPatch(title="New title", summary=None, attributes={"fit": "slim"})
    updated = tx.products.update(product.id, patch, expected_version=1)
    assert (updated.title, updated.summary, updated.version) == ("New title", None, 2)
    assert updated.attributes == {"fit": "slim"}
    assert updated.slug == product.slug
    with pytest.raises(StaleVersionError, match="version 1"), tx.savepoint():
        tx.products.update(product.id, ProductPatch(title="Lost"), expected_version=1)
    with pytest.raises(NotFoundError):
        tx.products.update(uuid4(), ProductPatch(title="x"), expected_version=1)
    assert tx.products.get(product.id).title == "New title"


def test_update_refuses_bad_values(tx: Transaction) -> None:
    product = tx.products.create_with_variants(new_product()).product
    with pytest.raises(InvalidInput):
        ProductPatch(title=None)
    with pytest.raises(InvalidInput):
        ProductPatch(slug="Not A Slug")
    other = tx.products.create_with_variants(new_product()).product
    with pytest.raises(ConflictError, match="slug"):
        tx.products.update(product.id, ProductPatch(slug=other.slug), expected_version=1)


def test_archive_soft_delete_and_restore(tx: Transaction) -> None:
    product = tx.products.create_with_variants(new_product()).product
    archived = tx.products.archive(product.id, expected_version=1)
    assert (archived.status, archived.version) == (ProductStatus.ARCHIVED, 2)
    with pytest.raises(StaleVersionError), tx.savepoint():
        tx.products.archive(product.id, expected_version=1)
    assert tx.products.list_active().items == []

    tx.products.soft_delete(product.id)
    with pytest.raises(NotFoundError):
        tx.products.get(product.id)
    with pytest.raises(NotFoundError):
        tx.products.soft_delete(product.id)
    with pytest.raises(NotFoundError):
        tx.products.archive(product.id, expected_version=3)
    restored = tx.products.restore(product.id)
    assert restored.deleted_at is None
    assert tx.products.get(product.id) == restored
    with pytest.raises(NotFoundError):
        tx.products.restore(product.id)


def test_update_variant_hands_the_primary_role_over(tx: Transaction) -> None:
    details = tx.products.create_with_variants(new_product(variants=3))
    third = details.variants[2]
    tx.products.update_variant(third.id, VariantPatch(is_primary=True, price=Decimal("3.50")))
    after = tx.products.get_with_details(details.product.id)
    assert (after.variants[0].id, after.variants[0].is_primary) == (third.id, True)
    assert sum(v.is_primary for v in after.variants) == 1
    assert tx.products.get_variant(third.id).price == Decimal("3.50")
    with pytest.raises(NotFoundError):
        tx.products.update_variant(uuid4(), VariantPatch(title="x"))


def test_demoting_or_deleting_the_primary_promotes_the_oldest_other(tx: Transaction) -> None:
    details = tx.products.create_with_variants(new_product(variants=3))
    first, second, third = details.variants
    tx.products.update_variant(first.id, VariantPatch(is_primary=False))
    promoted = [v.id for v in (second, third) if tx.products.get_variant(v.id).is_primary]
    assert len(promoted) == 1  # the oldest other; rows of one transaction tie on created_at
    tx.products.delete_variant(promoted[0])
    left = [v.id for v in (first, second, third) if v.id != promoted[0]]
    assert sum(tx.products.get_variant(v).is_primary for v in left) == 1
    second = next(v for v in (second, third) if v.id == promoted[0])
    with pytest.raises(NotFoundError):
        tx.products.delete_variant(second.id)
    with pytest.raises(NotFoundError):
        tx.inventory.get_for_variant(second.id)


def test_add_variant_gives_it_an_inventory_row(tx: Transaction) -> None:
    product = tx.products.create_with_variants(new_product()).product
    added = tx.products.add_variant(product.id, new_variant(quantity_on_hand=4))
    assert not added.is_primary
    assert tx.inventory.get_for_variant(added.id).quantity_available == 4
    with pytest.raises(ConstraintViolation, match="the variant's product does not exist"):
        tx.products.add_variant(uuid4(), new_variant(is_primary=True))


# --- details -------------------------------------------------------------------------------


def test_get_with_details_has_variants_stock_categories_and_media_in_four_queries(
    tx: Transaction, shared_db: Database
) -> None:
    shirts = category(tx)
    details = tx.products.create_with_variants(new_product(variants=2, category_ids=[shirts]))
    product = details.product
    later = medium(tx, product.id, sort_order=2)
    first = medium(tx, product.id, sort_order=1, primary=True)
    tx.inventory.reserve(details.variants[1].id, 3)

    with shared_db.capture_queries() as ran:
        got = tx.products.get_with_details(product.id)
    assert len(ran) == 4
    assert [m.media_id for m in got.media] == [first, later]
    assert got.media[0].is_primary and got.media[0].url.startswith("https://")
    assert [c.category_id for c in got.categories] == [shirts]
    assert got.variants[1].quantity_reserved == 3 and got.variants[1].quantity_available == 7
    with pytest.raises(NotFoundError):
        tx.products.get_with_details(uuid4())


def test_fifty_products_with_details_take_four_queries_not_n_plus_one(
    tx: Transaction, shared_db: Database
) -> None:
    shirts = category(tx)
    for n in range(50):
        made = tx.products.create_with_variants(new_product(variants=3, category_ids=[shirts]))
        medium(tx, made.product.id, sort_order=n % 3)

    with shared_db.capture_queries() as ran:
        page = tx.products.list_active_with_details(limit=50)
    assert len(page.items) == 50
    assert len(ran) == 4
    assert sorted({record.name for record in ran}) == sorted(
        {
            "products.list_newest",
            "products.variants_for",
            "products.categories_for",
            "products.media_for",
        }
    )
    assert all(len(d.variants) == 3 and len(d.media) == 1 for d in page.items)
    assert all(d.categories[0].category_id == shirts for d in page.items)
    assert tx.products.details_for([]) == []


# --- change_price (audited) ----------------------------------------------------------------


def test_change_price_records_before_and_after_in_the_audit_log(tx: Transaction) -> None:
    product = tx.products.create_with_variants(new_product(price=Decimal("10.00"))).product
    admin = Actor.admin(tx.users.create(new_user()).id)
    changed = tx.products.change_price(
        product.id, Decimal("12.50"), expected_version=1, actor=admin
    )
    assert (changed.price, changed.version) == (Decimal("12.50"), 2)
    (entry,) = tx.audit.history("products", product.id).items
    assert (entry.action, entry.user_id, entry.actor_type) == (
        "change_price",
        admin.user_id,
        "ADMIN",
    )
    assert entry.before is not None and entry.after is not None
    assert Decimal(str(entry.before["price"])) == Decimal("10.00")
    assert Decimal(str(entry.after["price"])) == Decimal("12.50")
    assert tx.products.get(product.id).price == Decimal("12.50")


def test_the_same_price_again_records_nothing(tx: Transaction) -> None:
    product = tx.products.create_with_variants(new_product(price=Decimal("10.00"))).product
    again = tx.products.change_price(
        product.id, Decimal("10.00"), expected_version=1, actor=Actor.system()
    )
    assert again.version == 2
    assert tx.audit.history("products", product.id).items == []


def test_a_refused_price_change_writes_neither_price_nor_audit_entry(tx: Transaction) -> None:
    product = tx.products.create_with_variants(new_product(price=Decimal("10.00"))).product
    system = Actor.system()
    with pytest.raises(StaleVersionError):
        tx.products.change_price(product.id, Decimal("9.00"), expected_version=7, actor=system)
    with pytest.raises(NotFoundError):
        tx.products.change_price(uuid4(), Decimal("9.00"), expected_version=1, actor=system)
    for bad in (Decimal("-1"), Decimal("1.001"), Decimal("NaN"), Decimal("Infinity")):
        with pytest.raises(InvalidInput, match="a price"):
            tx.products.change_price(product.id, bad, expected_version=1, actor=system)
    with pytest.raises(InvalidInput, match="invalid value"):  # numeric(12,2) overflows
        tx.products.change_price(product.id, Decimal("1e12"), expected_version=1, actor=system)
    assert tx.products.get(product.id).price == Decimal("10.00")
    assert tx.audit.history("products", product.id).items == []
