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
again from its own definition and the foreign keys validated (the rows themselves are
benchmarks/commerce_rows.py's). A complete run leaves a
COMMENT on the database; a later run at the same size reuses it, any other state is dropped
and made again. Rerun at any size:

    python -m benchmarks.commerce_data --users 100000 --orders 500000
    python -m benchmarks.commerce_data --users 100000 --orders 500000 --drop
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
from psycopg import sql

from benchmarks import commerce_rows as rows
from shopdb import Settings, migrations

SERVER_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
BATCH = 20_000
LOADED = ("users", "orders", "order_items")


def ensure(size: rows.Size, server_url: str = SERVER_URL) -> tuple[str, dict[str, float]]:
    """The URL of a complete data set of ``size``, made unless one exists (a reused one is
    migrated to this checkout's head first); the seconds of each phase (empty when it was
    reused as it was)."""
    url = _url(server_url, size.database)
    with psycopg.connect(server_url, autocommit=True) as admin:
        found = admin.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [size.database],
        ).fetchone()
        if found is not None and found[0] == size.marker:
            return url, _migrate(url)
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


def _migrate(url: str) -> dict[str, float]:
    """Bring a reused data set up to this checkout's migrations (the set may have been made
    by an older checkout); the seconds it took, empty when nothing was pending."""
    started = time.perf_counter()
    applied = migrations.apply(Settings(database_url=url))
    if not applied:
        return {}
    return {"migrate " + ", ".join(applied): round(time.perf_counter() - started, 1)}


def drop(size: rows.Size, server_url: str = SERVER_URL) -> None:
    """Drop the data set of ``size`` if there is one."""
    with psycopg.connect(server_url, autocommit=True) as admin:
        name = sql.Identifier(size.database)
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))


def _url(server_url: str, database: str) -> str:
    return server_url.rsplit("/", 1)[0] + "/" + database


def _generate(url: str, size: rows.Size) -> dict[str, float]:
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
        timed("copy users", lambda: _copy(conn, "users", rows.user_columns(), rows.users(size)))
        timed("copy orders", lambda: _copy(conn, "orders", rows.order_columns(), rows.orders(size)))
        timed(
            "copy items", lambda: _copy(conn, "order_items", rows.item_columns(), rows.items(size))
        )
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
    _copy_plain(conn, "products", rows.PRODUCT_COLUMNS, rows.products())
    _copy_plain(conn, "product_variants", rows.VARIANT_COLUMNS, rows.variants())
    _copy_plain(conn, "inventory", rows.STOCK_COLUMNS, rows.stock())


def _copy_plain(
    conn: psycopg.Connection[Any], table: str, columns: str, lines: Iterator[str]
) -> None:
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(table), sql.SQL(columns))
    with conn.cursor().copy(statement) as copy:
        copy.write("".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=5_000_000)
    parser.add_argument("--items", type=int, help="order items (default: 3 per order)")
    parser.add_argument("--server", default=SERVER_URL, help="a URL of the server's postgres db")
    parser.add_argument("--drop", action="store_true", help="drop the data set of this size")
    args = parser.parse_args()
    size = rows.Size(args.users, args.orders, args.items or 3 * args.orders)
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
