"""Make a cart look idle: its updated_at moved back (the trigger that stamps it is off for
the one UPDATE, inside the test's transaction)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import psycopg


def make_idle(conn: psycopg.Connection[Any], cart_id: UUID, interval: str = "2 days") -> None:
    """Set the cart's last activity ``interval`` ago."""
    conn.execute("ALTER TABLE carts DISABLE TRIGGER carts_set_updated_at")
    conn.execute(
        "UPDATE carts SET updated_at = now() - CAST(%s AS interval) WHERE id = %s",
        [interval, cart_id],
    )
    conn.execute("ALTER TABLE carts ENABLE TRIGGER carts_set_updated_at")
