"""A commerce data set generated with COPY, for the commerce benchmarks (issue 11, point 9).

For ``users`` users and ``orders`` orders (``items`` order items, three per order by
default): a catalog of CATALOG_PRODUCTS products with two variants each and plenty of stock,
the orders spread evenly over the users and over two years (order n belongs to user
n % users, so a user's orders lie far apart in the table, as they do in a live shop), their
statuses in fixed shares (70% DELIVERED, 10% CANCELLED, ...) with the matching timestamps,
an idempotency key each, and items whose amounts add up (subtotal = sum of the items).

The data set lives in a database of its own, named after its size
(``bench_commerce_<users>_<orders>_<items>``), migrated, then loaded in one transaction:
the keys, unique constraints, indexes and foreign keys of users, orders and order_items are
dropped, the three tables are truncated and filled with ``COPY ... FREEZE`` (no triggers:
the rows obey the money rules by construction), then every index and constraint is built
again from its own definition and the foreign keys validated. A complete run leaves a
COMMENT on the database; a later run at the same size reuses it, any other state is dropped
and made again. Rerun at any size:

    python -m benchmarks.commerce_data --users 100000 --orders 500000
    python -m benchmarks.commerce_data --users 100000 --orders 500000 --drop
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import psycopg
from psycopg import sql

from shopdb import Settings, migrations

SERVER_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
CATALOG_PRODUCTS = 1_000
VARIANTS_PER_PRODUCT = 2
STOCK = 1_000_000_000
PASSWORD_HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2VlZHNlZWQ$YmVuY2htYXJraGFzaA"
SPAN = timedelta(days=730)
BATCH = 20_000
GENERATOR = "commerce_data v1"
LOADED = ("users", "orders", "order_items")
# Of every 100 orders, by n * 37 % 100: the share of each status.
STATUS_SHARES = (
    ("DELIVERED", 70),
    ("SHIPPED", 5),
    ("FULFILLED", 3),
    ("PAID", 5),
    ("PENDING", 7),
    ("CANCELLED", 10),
)


def user_id(n: int) -> UUID:
    """The id of generated user n (fixed, so the benchmarks know it)."""
    return UUID(int=(0xC0 << 120) | n)


def product_id(p: int) -> UUID:
    """The id of generated product p."""
    return UUID(int=(0xC1 << 120) | p)


def variant_id(v: int) -> UUID:
    """The id of generated variant v (product v // 2)."""
    return UUID(int=(0xC2 << 120) | v)


def order_id(n: int) -> UUID:
    """The id of generated order n: increasing with n, as time-ordered UUIDs are."""
    return UUID(int=(0xC4 << 120) | n)


def variant_price(v: int) -> Decimal:
    """The price of variant v: 5.00 to 253.75 in steps of 1.25."""
    return Decimal("5.00") + Decimal("1.25") * (v % 200)


PRICES = [variant_price(v) for v in range(CATALOG_PRODUCTS * VARIANTS_PER_PRODUCT)]


def order_status(n: int) -> str:
    """The status of order n, in the shares of STATUS_SHARES."""
    slot = n * 37 % 100
    for status, share in STATUS_SHARES:
        if slot < share:
            return status
        slot -= share
    raise AssertionError("the shares add up to 100")


@dataclass(frozen=True, slots=True)
class Size:
    """What a data set holds."""

    users: int
    orders: int
    items: int

    @property
    def database(self) -> str:
        """The name of the database that holds this size."""
        return f"bench_commerce_{self.users}_{self.orders}_{self.items}"

    @property
    def marker(self) -> str:
        """The comment a complete data set of this size carries."""
        return f"{GENERATOR}: users={self.users} orders={self.orders} items={self.items}"

    def items_of(self, n: int) -> int:
        """How many items order n has (the items spread as evenly as they go)."""
        return (n + 1) * self.items // self.orders - n * self.items // self.orders

    @property
    def variants(self) -> int:
        return CATALOG_PRODUCTS * VARIANTS_PER_PRODUCT


def ensure(size: Size, server_url: str = SERVER_URL) -> tuple[str, dict[str, float]]:
    """The URL of a complete data set of ``size``, made unless one exists; the seconds of
    each phase (empty when it was reused)."""
    url = _url(server_url, size.database)
    with psycopg.connect(server_url, autocommit=True) as admin:
        found = admin.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [size.database],
        ).fetchone()
        if found is not None and found[0] == size.marker:
            return url, {}
        name = sql.Identifier(size.database)
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(name))
    timings = _generate(url, size)
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(size.database), sql.Literal(size.marker)
            )
        )
    return url, timings


def drop(size: Size, server_url: str = SERVER_URL) -> None:
    """Drop the data set of ``size`` if there is one."""
    with psycopg.connect(server_url, autocommit=True) as admin:
        name = sql.Identifier(size.database)
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))


def _url(server_url: str, database: str) -> str:
    return server_url.rsplit("/", 1)[0] + "/" + database


def _generate(url: str, size: Size) -> dict[str, float]:
    timings: dict[str, float] = {}

    def timed(phase: str, work: Callable[[], object]) -> None:
        started = time.perf_counter()
        work()
        timings[phase] = round(time.perf_counter() - started, 1)

    timed("migrate", lambda: migrations.apply(Settings(database_url=url)))
    with psycopg.connect(url) as conn:
        conn.execute("SET session_replication_role = replica")  # no triggers while loading
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET maintenance_work_mem = '512MB'")
        rebuild = _drop_keys_and_indexes(conn)
        conn.execute("TRUNCATE users, orders, order_items")
        timed("copy catalog", lambda: _copy_catalog(conn))
        timed("copy users", lambda: _copy(conn, "users", _user_columns(), _users(size)))
        timed("copy orders", lambda: _copy(conn, "orders", _order_columns(), _orders(size)))
        timed("copy items", lambda: _copy(conn, "order_items", _item_columns(), _items(size)))
        timed("indexes and constraints", lambda: _run_all(conn, rebuild))
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        timed("analyze", lambda: conn.execute("VACUUM (ANALYZE) users, orders, order_items"))
    return timings


def _drop_keys_and_indexes(conn: psycopg.Connection[Any]) -> list[str]:
    """Drop the foreign keys into and out of the loaded tables, then their keys, unique
    constraints and indexes; the statements that make them again, in a working order."""
    tables = list(LOADED)
    foreign = conn.execute(
        """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
             FROM pg_constraint
            WHERE contype = 'f' AND conparentid = 0
              AND (conrelid::regclass::text = ANY(%(t)s) OR confrelid::regclass::text = ANY(%(t)s))
            ORDER BY 1, 2""",
        {"t": tables},
    ).fetchall()
    keys = conn.execute(
        """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
             FROM pg_constraint
            WHERE contype IN ('p', 'u') AND conrelid::regclass::text = ANY(%(t)s)
            ORDER BY contype, 1, 2""",
        {"t": tables},
    ).fetchall()
    indexes = conn.execute(
        """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
             FROM pg_index AS i
            WHERE i.indrelid::regclass::text = ANY(%(t)s)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conindid = i.indexrelid)
            ORDER BY 1""",
        {"t": tables},
    ).fetchall()
    for table, name, _ in [*foreign, *keys]:
        conn.execute(
            sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                sql.Identifier(table), sql.Identifier(name)
            )
        )
    for name, _ in indexes:
        conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    rebuild = [
        f"ALTER TABLE {sql.Identifier(t).as_string(conn)} ADD CONSTRAINT "
        f"{sql.Identifier(n).as_string(conn)} {d}"
        for t, n, d in keys
    ]
    rebuild += [definition for _, definition in indexes]
    rebuild += [
        f"ALTER TABLE {sql.Identifier(t).as_string(conn)} ADD CONSTRAINT "
        f"{sql.Identifier(n).as_string(conn)} {d}"
        for t, n, d in foreign
    ]
    return rebuild


def _run_all(conn: psycopg.Connection[Any], statements: list[str]) -> None:
    for statement in statements:
        conn.execute(statement.encode())


def _copy(
    conn: psycopg.Connection[Any], table: str, columns: list[str], lines: Iterator[str]
) -> None:
    """COPY the text-format lines into ``table`` (FREEZE: truncated in this transaction)."""
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FREEZE)").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with conn.cursor().copy(statement) as copy:
        batch: list[str] = []
        for line in lines:
            batch.append(line)
            if len(batch) == BATCH:
                copy.write("".join(batch))
                batch.clear()
        copy.write("".join(batch))


def _copy_catalog(conn: psycopg.Connection[Any]) -> None:
    """CATALOG_PRODUCTS active products, two variants each (the first primary), stock."""
    created = datetime(2024, 1, 1, tzinfo=UTC).isoformat()
    products = (
        f"{product_id(p)}\tBench product {p}\tbench-product-{p}\tACTIVE\t"
        f"{variant_price(2 * p)}\t{created}\t{created}\n"
        for p in range(CATALOG_PRODUCTS)
    )
    _copy_plain(
        conn, "products", "id, title, slug, status, price, created_at, updated_at", products
    )
    variants = (
        f"{variant_id(v)}\t{product_id(v // 2)}\tSize {v % 2}\tBV-{v:06d}\t"
        f"{variant_price(v)}\t{'t' if v % 2 == 0 else 'f'}\t{created}\t{created}\n"
        for v in range(CATALOG_PRODUCTS * VARIANTS_PER_PRODUCT)
    )
    _copy_plain(
        conn,
        "product_variants",
        "id, product_id, title, sku, price, is_primary, created_at, updated_at",
        variants,
    )
    stock = (f"{variant_id(v)}\t{STOCK}\n" for v in range(CATALOG_PRODUCTS * VARIANTS_PER_PRODUCT))
    _copy_plain(conn, "inventory", "product_variant_id, quantity_on_hand", stock)


def _copy_plain(
    conn: psycopg.Connection[Any], table: str, columns: str, lines: Iterator[str]
) -> None:
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(table), sql.SQL(columns))
    with conn.cursor().copy(statement) as copy:
        copy.write("".join(lines))


def _user_columns() -> list[str]:
    return ["id", "email", "password_hash", "email_verified", "created_at", "updated_at"]


def _users(size: Size) -> Iterator[str]:
    start = datetime(2023, 1, 1, tzinfo=UTC)
    step = SPAN / max(size.users, 1)
    for n in range(size.users):
        created = (start + step * n).isoformat()
        yield f"{user_id(n)}\tbench{n}@example.com\t{PASSWORD_HASH}\tt\t{created}\t{created}\n"


def _order_columns() -> list[str]:
    return [
        "id", "reference", "user_id", "status", "total_amount", "subtotal_amount", "currency",
        "idempotency_key", "placed_at", "fulfilled_at", "shipped_at", "delivered_at",
        "cancelled_at", "version", "created_at", "updated_at",
    ]  # fmt: skip


def _order_subtotal(size: Size, n: int) -> Decimal:
    return sum(
        (_item_quantity(i) * PRICES[_item_variant(size, i)] for i in _item_range(size, n)),
        Decimal("0"),
    )


def _item_range(size: Size, n: int) -> range:
    first = n * size.items // size.orders
    return range(first, first + size.items_of(n))


def _item_variant(size: Size, i: int) -> int:
    return i * 7919 % size.variants


def _item_quantity(i: int) -> int:
    return 1 + i % 3


def _orders(size: Size) -> Iterator[str]:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    step = SPAN / max(size.orders, 1)
    null = "\\N"
    for n in range(size.orders):
        at = start + step * n
        created = at.isoformat()
        status = order_status(n)
        later = {
            "fulfilled": status in ("FULFILLED", "SHIPPED", "DELIVERED"),
            "shipped": status in ("SHIPPED", "DELIVERED"),
            "delivered": status == "DELIVERED",
            "cancelled": status == "CANCELLED",
        }
        stamps = [
            (at + timedelta(days=day)).isoformat() if due else null
            for day, due in zip((1, 2, 4, 1), later.values(), strict=True)
        ]
        subtotal = _order_subtotal(size, n)
        version = 1 + sum(later.values()) + (status not in ("PENDING", "CANCELLED"))
        yield (
            f"{order_id(n)}\tBO-{n:012X}\t{user_id(n % size.users)}\t{status}\t{subtotal}\t"
            f"{subtotal}\tTRY\tbench-order-{n}\t{created}\t{chr(9).join(stamps)}\t{version}\t"
            f"{created}\t{stamps[2] if later['delivered'] else created}\n"
        )


def _item_columns() -> list[str]:
    return [
        "order_id", "product_id", "product_variant_id", "quantity", "unit_price",
        "title_snapshot", "variant_snapshot", "created_at", "updated_at",
    ]  # fmt: skip


def _items(size: Size) -> Iterator[str]:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    step = SPAN / max(size.orders, 1)
    # The catalog part of each line, computed once per variant.
    lines = [
        f"{product_id(v // 2)}\t{variant_id(v)}\t%d\t{variant_price(v)}\tBench product {v // 2}"
        f'\t{{"sku": "BV-{v:06d}", "title": "Size {v % 2}"}}'
        for v in range(size.variants)
    ]
    for n in range(size.orders):
        created = (start + step * n).isoformat()
        head, tail = f"{order_id(n)}\t", f"\t{created}\t{created}\n"
        for i in _item_range(size, n):
            yield head + lines[_item_variant(size, i)] % _item_quantity(i) + tail


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=5_000_000)
    parser.add_argument("--items", type=int, help="order items (default: 3 per order)")
    parser.add_argument("--server", default=SERVER_URL, help="a URL of the server's postgres db")
    parser.add_argument("--drop", action="store_true", help="drop the data set of this size")
    args = parser.parse_args()
    size = Size(args.users, args.orders, args.items or 3 * args.orders)
    if args.drop:
        drop(size, args.server)
        print(f"dropped {size.database}")
        return
    started = time.perf_counter()
    url, timings = ensure(size, args.server)
    elapsed = time.perf_counter() - started
    print(f"{url} ({'made' if timings else 'reused'} in {elapsed:.1f} s) {timings}")


if __name__ == "__main__":
    main()
