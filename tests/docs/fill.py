"""Rows in every table of the schema, committed: what a backup test dumps and restores."""

from __future__ import annotations

import psycopg

from tests.schema.rows import Rows

# Tables whose rows need an order with items (0016_money_rules checks an order's subtotal
# against its items at COMMIT), filled from one built through order_items.
_OF_AN_ORDER = {
    "orders",
    "payments",
    "payment_refunds",
    "reviews",
    "review_media",
    "review_votes",
    "coupon_usages",
    "stock_reservations",
}


def fill_every_table(url: str, rounds: int = 3) -> None:
    """``rounds`` valid rows (and their parents) in every table, in one committed transaction."""
    with psycopg.connect(url) as conn:
        rows = Rows(conn)
        for _ in range(rounds):
            for table in Rows.TABLES:
                if table not in _OF_AN_ORDER:
                    rows.insert(table)
            _order_with_its_dependants(rows)


def _order_with_its_dependants(rows: Rows) -> None:
    item = rows.insert("order_items")
    order = rows.conn.execute(
        "SELECT id, user_id FROM orders WHERE id = %s", [item["order_id"]]
    ).fetchone()
    assert order is not None
    order_id, user_id = order
    payment = rows.insert("payments", order_id=order_id, user_id=user_id)
    rows.insert("payment_refunds", payment_id=payment["id"])
    review = rows.insert(
        "reviews", order_id=order_id, user_id=user_id, product_id=item["product_id"]
    )
    rows.insert("review_media", review_id=review["id"])
    rows.insert("review_votes", review_id=review["id"])
    rows.insert("stock_reservations", order_id=order_id)
    rows.insert("coupon_usages", order_id=order_id, user_id=user_id)
