"""Test set-up for the category, collection and media tests: product and variant rows inserted
with plain psycopg (the products repository is not theirs to use), and a wait for a backend
that blocks on a lock (for the deterministic two-connection races)."""

from __future__ import annotations

import threading
from typing import Any
from uuid import UUID, uuid4

import psycopg

from shopdb import Database


def insert_product(
    conn: psycopg.Connection[Any],
    slug: str | None = None,
    *,
    status: str = "ACTIVE",
    price: str = "10.00",
    deleted: bool = False,
) -> UUID:
    """A product with one primary variant, written in one statement (a product always has a
    primary variant once the commit is over). Returns the product id."""
    slug = slug or f"product-{uuid4().hex[:12]}"
    row = conn.execute(
        """WITH p AS (
               INSERT INTO products (title, slug, status, price, deleted_at)
               VALUES (%(title)s, %(slug)s, %(status)s, %(price)s,
                       CASE WHEN %(deleted)s THEN now() END)
               RETURNING id)
           , v AS (
               INSERT INTO product_variants (product_id, title, sku, price, is_primary)
               SELECT id, 'Default', %(slug)s || '-default', %(price)s, true FROM p)
           SELECT id FROM p""",
        {
            "title": slug.replace("-", " ").title(),
            "slug": slug,
            "status": status,
            "price": price,
            "deleted": deleted,
        },
    ).fetchone()
    assert row is not None
    return UUID(str(row[0]))


def insert_variant(conn: psycopg.Connection[Any], product_id: UUID) -> UUID:
    """A further, non-primary variant of a product; its id."""
    row = conn.execute(
        """INSERT INTO product_variants (product_id, title, sku, price)
           VALUES (%s, 'Extra', %s, 1) RETURNING id""",
        [product_id, f"sku-{uuid4().hex[:12]}"],
    ).fetchone()
    assert row is not None
    return UUID(str(row[0]))


def link_category(conn: psycopg.Connection[Any], product_id: UUID, category_id: UUID) -> None:
    """Put a product in a category."""
    conn.execute(
        "INSERT INTO product_categories (product_id, category_id) VALUES (%s, %s)",
        [product_id, category_id],
    )


def wait_until_someone_waits_for_a_lock(db: Database, done: threading.Event) -> None:
    """Return once a backend of this database waits for a lock, or ``done`` is set (the
    other side finished without waiting); fail after 10 s. Polls pg_stat_activity on its own
    autocommit connection (a transaction would keep reading one cached snapshot of it)."""
    with db.pool.connection() as admin:
        for _ in range(1000):
            row = admin.execute(
                """SELECT count(*) FROM pg_stat_activity
                    WHERE datname = current_database() AND wait_event_type = 'Lock'"""
            ).fetchone()
            if (row is not None and row[0] > 0) or done.wait(0.01):
                return
    raise AssertionError("no backend ever waited for a lock")
