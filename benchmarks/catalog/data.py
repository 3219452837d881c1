"""A catalogue generated with COPY for the catalog benchmarks (issue 10, points 6 and 7).

For ``products`` products: ``variants_per_product`` variants each (the first primary) with
their inventory rows, one category link each (a random category without children, in a tree
of ``categories`` categories, fan-out 10), one product in 20 in one of 50 collections, one in
10 with a primary image. Nine in ten are ACTIVE, 1 % soft-deleted; prices log-uniform from 1
to 5,000; titles from a small vocabulary, so some words are common (see WORDS). Everything
derives from a fixed seed: a rerun at the same size gives the same rows.

Into a database of its own (created, migrated, and reused when it already holds a finished
catalogue of exactly these sizes; any other size is dropped and generated again):

    python -m benchmarks.catalog.data --database-url postgresql://postgres@127.0.0.1:5432/postgres \
        --products 1000000 --variants-per-product 3 --categories 10000 --database bench_catalog

Loading: triggers and foreign-key checks are off for the load (session_replication_role =
replica: the generator writes level, path and one primary variant per product itself), the
secondary indexes of the loaded tables are dropped first and rebuilt after the COPY, then
VACUUM ANALYZE. The finished sizes are written as the database's comment, last.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

from shopdb import Settings, migrations

GENERATOR = "catalog-data/1"
SEED = 20261202
COLLECTIONS = 50
FANOUT = 10
ROOTS = 10
EPOCH_MS = int(datetime(2025, 1, 1, tzinfo=UTC).timestamp() * 1000)
SPAN_MS = 700 * 86_400_000
TABLES = (
    "categories",
    "products",
    "product_variants",
    "inventory",
    "product_categories",
    "collections",
    "product_collections",
    "media",
    "product_media",
)
ADJECTIVES = ("classic", "modern", "vintage", "premium", "compact", "soft", "slim", "sturdy")
MATERIALS = ("cotton", "leather", "wool", "steel", "bamboo", "linen", "ceramic", "oak")
COLOURS = ("black", "white", "red", "blue", "green", "grey", "navy", "olive", "amber")
_NOUNS = """
    shirt jacket boots lamp mug chair table backpack wallet scarf sneakers kettle blanket
    pillow watch sofa desk shelf vase rug towel apron gloves hat belt socks dress skirt
    jeans shorts hoodie sweater coat umbrella bottle bowl plate spoon knife pan pot grill
    tent stove lantern helmet bicycle guitar drum speaker headphones camera tripod charger
    cable mouse keyboard monitor router printer notebook pencil eraser stapler folder
    basket mirror clock candle frame poster puzzle kite ball racket bat glove saddle
"""
NOUNS = tuple(_NOUNS.split())
WORDS = {"adjective": ADJECTIVES, "material": MATERIALS, "colour": COLOURS, "noun": NOUNS}
"""Each title is adjective + material + colour + noun: a material is in 1 title in 8, an
adjective 1 in 8, a noun about 1 in 90 (each product's words are drawn uniformly)."""
FILLER = tuple(f"w{n:04d}" for n in range(5000))
"""Description words: rare on their own (about 8 products in 1,000 each)."""


@dataclass(frozen=True, slots=True)
class Sizes:
    """What a catalogue holds: the key under which it is reused."""

    products: int
    variants_per_product: int
    categories: int
    generator: str = GENERATOR


def uuid_at(millis: int, n: int) -> str:
    """The text of a UUIDv7 for ``millis`` with ``n`` in its random bits: time-ordered."""
    h = f"{(millis << 80) | (0x7 << 76) | (0b10 << 62) | (n & ((1 << 62) - 1)):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def created_millis(n: int, products: int) -> int:
    """Product n's creation time (ms since 1970): spread evenly over SPAN, in the order of n."""
    return EPOCH_MS + SPAN_MS * n // max(products, 1)


def product_id(n: int, products: int) -> str:
    """The id of product n (0-based) of ``products``: time-ordered like created_at."""
    return uuid_at(created_millis(n, products), n)


def category_parent(k: int) -> int | None:
    """Breadth-first tree: ROOTS roots, then FANOUT children per category in order."""
    return None if k < ROOTS else k // FANOUT - 1


def leaf_categories(categories: int) -> range:
    """The categories without children: products are linked to these."""
    first = next(k for k in range(categories) if FANOUT * (k + 1) >= categories)
    return range(first, categories)


def category_id(k: int) -> str:
    return uuid_at(EPOCH_MS - 86_400_000, 0xCA7 << 40 | k)


def collection_id(c: int) -> str:
    return uuid_at(EPOCH_MS - 86_400_000, 0xC011 << 40 | c)


def variant_id(n: int, v: int, sizes: Sizes) -> str:
    millis = created_millis(n, sizes.products)
    return uuid_at(millis, (n * sizes.variants_per_product + v) | 1 << 60)


def media_id(n: int, products: int) -> str:
    return uuid_at(created_millis(n, products), n | 1 << 59)


def _moment(millis: int) -> str:
    return datetime.fromtimestamp(millis / 1000, UTC).isoformat()


# --- rows ------------------------------------------------------------------------------------


def _text(values: tuple[Any, ...]) -> str:
    """One COPY text line (values here never hold tabs, newlines or backslashes)."""
    return "\t".join("\\N" if v is None else str(v) for v in values) + "\n"


def category_rows(categories: int) -> Iterator[tuple[Any, ...]]:
    paths: list[str] = []
    for k in range(categories):
        parent = category_parent(k)
        slug = f"c{k}"
        path = slug if parent is None else f"{paths[parent]}/{slug}"
        paths.append(path)
        parent_id = None if parent is None else category_id(parent)
        yield (category_id(k), f"Category {k}", slug, parent_id, path.count("/"), path, k % FANOUT)


def product_rows(sizes: Sizes) -> Iterator[tuple[Any, ...]]:
    rng = random.Random(SEED)
    choice, roll, total = rng.choice, rng.random, sizes.products
    top = math.log(5000)
    for n in range(total):
        title = f"{choice(ADJECTIVES)} {choice(MATERIALS)} {choice(COLOURS)} {choice(NOUNS)}"
        description = " ".join([choice(FILLER) for _ in range(12)])
        state = roll()
        status = "ACTIVE" if state < 0.90 else "DRAFT" if state < 0.97 else "ARCHIVED"
        price = max(round(math.exp(roll() * top), 2), 1.0)
        millis = created_millis(n, total)
        made = _moment(millis)
        deleted = _moment(millis + 86_400_000) if roll() < 0.01 else None
        pid = uuid_at(millis, n)
        yield (
            pid,
            title,
            f"p{n}",
            f"SKU-{n}",
            description,
            status,
            f"{price:.2f}",
            made,
            made,
            deleted,
        )


def variant_rows(sizes: Sizes) -> Iterator[tuple[Any, ...]]:
    for n in range(sizes.products):
        owner = product_id(n, sizes.products)
        for v in range(sizes.variants_per_product):
            yield (variant_id(n, v, sizes), owner, f"Size {v}", f"SKU-{n}-{v}", "10.00", v == 0)


def inventory_rows(sizes: Sizes) -> Iterator[tuple[Any, ...]]:
    for n in range(sizes.products):
        for v in range(sizes.variants_per_product):
            yield (variant_id(n, v, sizes), (n * 7 + v * 13) % 200, 5)


def product_category_rows(sizes: Sizes) -> Iterator[tuple[Any, ...]]:
    rng = random.Random(SEED + 2)
    leaves = leaf_categories(sizes.categories)
    for n in range(sizes.products):
        yield (product_id(n, sizes.products), category_id(rng.choice(leaves)), True)


def product_collection_rows(sizes: Sizes) -> Iterator[tuple[Any, ...]]:
    for n in range(0, sizes.products, 20):
        c = (n // 20) % COLLECTIONS
        yield (product_id(n, sizes.products), collection_id(c), n // (20 * COLLECTIONS))


def media_rows(sizes: Sizes) -> Iterator[tuple[Any, ...]]:
    for n in range(0, sizes.products, 10):
        yield (
            media_id(n, sizes.products),
            f"bench/p{n}.jpg",
            f"https://cdn.example.com/bench/p{n}.jpg",
            "IMAGE",
            "S3",
            "image/jpeg",
            120_000,
        )


def product_media_rows(sizes: Sizes) -> Iterator[tuple[Any, ...]]:
    for n in range(0, sizes.products, 10):
        yield (product_id(n, sizes.products), media_id(n, sizes.products), 0, True)


COPIES = (
    ("categories", "id, name, slug, parent_id, level, path, display_order", "categories"),
    (
        "products",
        "id, title, slug, sku, description, status, price, created_at, updated_at, deleted_at",
        "products",
    ),
    (
        "product_variants",
        "id, product_id, title, sku, price, is_primary",
        "variants",
    ),
    ("inventory", "product_variant_id, quantity_on_hand, low_stock_threshold", "inventory"),
    ("product_categories", "product_id, category_id, is_primary", "product_categories"),
    ("product_collections", "product_id, collection_id, display_order", "product_collections"),
    ("media", "id, asset_id, url, type, provider, mime_type, size_bytes", "media"),
    ("product_media", "product_id, media_id, sort_order, is_primary", "product_media"),
)


def _rows(kind: str, sizes: Sizes) -> Iterator[tuple[Any, ...]]:
    if kind == "categories":
        return category_rows(sizes.categories)
    return {
        "products": product_rows,
        "variants": variant_rows,
        "inventory": inventory_rows,
        "product_categories": product_category_rows,
        "product_collections": product_collection_rows,
        "media": media_rows,
        "product_media": product_media_rows,
    }[kind](sizes)


# --- the database ------------------------------------------------------------------------------


def database_url(server_url: str, database: str) -> str:
    """``server_url`` (a postgresql:// URL) with its database name replaced."""
    return urlsplit(server_url)._replace(path=f"/{database}").geturl()


def generated_sizes(server_url: str, database: str) -> Sizes | None:
    """The sizes a finished catalogue in ``database`` was generated at; None if there is none."""
    with psycopg.connect(server_url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [database],
        ).fetchone()
    if row is None or not row[0]:
        return None
    try:
        return Sizes(**json.loads(row[0]))
    except (TypeError, ValueError):
        return None


def ensure_catalog(server_url: str, database: str, sizes: Sizes, *, log: Any = print) -> str:
    """The URL of ``database`` holding a catalogue of ``sizes``: reused, or (re)generated."""
    url = database_url(server_url, database)
    if generated_sizes(server_url, database) == sizes:
        log(f"{database}: reusing the catalogue of {asdict(sizes)}")
        return url
    started = time.perf_counter()
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
        # OLTP reads: JIT compilation costs tens of ms on a query the planner thinks is big.
        conn.execute(sql.SQL("ALTER DATABASE {} SET jit = off").format(sql.Identifier(database)))
    migrations.apply(Settings(database_url=url))
    with psycopg.connect(url) as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute("SET maintenance_work_mem = '256MB'")
        indexes = _drop_secondary_indexes(conn)
        _insert_collections(conn)
        for table, columns, kind in COPIES:
            step = time.perf_counter()
            _copy(conn, table, columns, _rows(kind, sizes))
            log(f"{table}: copied in {time.perf_counter() - step:.1f} s")
        for definition in indexes:
            step = time.perf_counter()
            conn.execute(definition.encode())  # as pg_get_indexdef wrote it
            log(f"{definition[:70]}...: {time.perf_counter() - step:.1f} s")
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        _check(conn, sizes)
        comment = json.dumps(asdict(sizes))
        conn.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(database), sql.Literal(comment)
            )
        )
    log(f"{database}: generated {asdict(sizes)} in {time.perf_counter() - started:.0f} s")
    return url


def _drop_secondary_indexes(conn: psycopg.Connection[Any]) -> list[str]:
    """Drop the loaded tables' indexes that back no constraint; their definitions, to rebuild."""
    rows = conn.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
          FROM pg_index i
         WHERE i.indrelid = ANY (CAST(%s AS regclass[]))
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        """,
        [list(TABLES)],
    ).fetchall()
    for name, _definition in rows:
        conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    return [definition for _name, definition in rows]


def _insert_collections(conn: psycopg.Connection[Any]) -> None:
    with conn.cursor().copy("COPY collections (id, name, slug, status) FROM STDIN") as copy:
        for c in range(COLLECTIONS):
            copy.write(_text((collection_id(c), f"Collection {c}", f"k{c}", "ACTIVE")))


def _copy(
    conn: psycopg.Connection[Any], table: str, columns: str, rows: Iterator[tuple[Any, ...]]
) -> None:
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(table), sql.SQL(columns))
    with conn.cursor().copy(statement) as copy:
        batch: list[str] = []
        for row in rows:
            batch.append(_text(row))
            if len(batch) == 10_000:
                copy.write("".join(batch))
                batch.clear()
        if batch:
            copy.write("".join(batch))


def _check(conn: psycopg.Connection[Any], sizes: Sizes) -> None:
    """The counts, and the invariants the disabled triggers would have held."""
    counts = conn.execute(
        """
        SELECT (SELECT count(*) FROM products),
               (SELECT count(*) FROM product_variants),
               (SELECT count(*) FROM product_variants WHERE is_primary),
               (SELECT count(*) FROM inventory),
               (SELECT count(*) FROM categories)
        """
    ).fetchone()
    per = sizes.variants_per_product
    wanted = (sizes.products, sizes.products * per, sizes.products, sizes.products * per)
    assert counts is not None and counts == (*wanted, sizes.categories), counts


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="any database of the server (the catalogue gets a database of its own)",
    )
    parser.add_argument("--database", default="bench_catalog")
    parser.add_argument("--products", type=int, default=1_000_000)
    parser.add_argument("--variants-per-product", type=int, default=3)
    parser.add_argument("--categories", type=int, default=10_000)
    args = parser.parse_args()
    sizes = Sizes(args.products, args.variants_per_product, args.categories)
    ensure_catalog(args.database_url, args.database, sizes)


if __name__ == "__main__":
    main()
