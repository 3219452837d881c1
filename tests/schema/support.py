"""Helpers of the schema tests: expect a refusal, count rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from psycopg import sql

from shopdb.components import REPOSITORIES
from shopdb.core.errors import ConstraintRules, ShopDBError, translate

SHOP_RULES = ConstraintRules(
    {name: text for cls in REPOSITORIES for name, text in cls.constraint_messages.items()},
    {name: error for cls in REPOSITORIES for name, error in cls.constraint_errors.items()},
)
"""The constraint rules of every repository at once: a statement of the schema tests is no
repository's, and is translated as the repository that owns the constraint would."""


def refused(conn: psycopg.Connection[Any], action: Callable[[], object]) -> ShopDBError:
    """Run ``action`` in a savepoint; it must fail. Return the shopdb error it becomes."""
    with pytest.raises(psycopg.Error) as caught, conn.transaction():
        action()
    return translate(caught.value, "schema-test", rules=SHOP_RULES)


def count(conn: psycopg.Connection[Any], table: str) -> int:
    """How many rows ``table`` holds."""
    row = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()
    assert row is not None
    return int(row[0])


def primary_key(conn: psycopg.Connection[Any], table: str) -> list[str]:
    """The columns of the primary key of ``table``, in key order."""
    found = conn.execute(
        """SELECT a.attname FROM pg_index x
             JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k (attnum, ord) ON true
             JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
            WHERE x.indrelid = %s::regclass AND x.indisprimary
            ORDER BY k.ord""",
        [table],
    ).fetchall()
    return [name for (name,) in found]
