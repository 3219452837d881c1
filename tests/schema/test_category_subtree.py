"""category_subtree_is_wide (migration 0022): the one number behind the two branches of the
category listings, and a function the planner inlines, so the listings' plans are those of
the literal ``count(*) > 50`` it replaced."""

from __future__ import annotations

from typing import Any

import psycopg


def test_a_subtree_is_wide_over_fifty_categories(conn: psycopg.Connection[Any]) -> None:
    wide = conn.execute(
        "SELECT category_subtree_is_wide(1), category_subtree_is_wide(50),"
        " category_subtree_is_wide(51)"
    ).fetchone()

    assert wide == (False, False, True)


def test_the_planner_inlines_the_rule_as_the_count_it_compares(
    conn: psycopg.Connection[Any],
) -> None:
    plan = conn.execute(
        "EXPLAIN (VERBOSE, COSTS OFF) SELECT category_subtree_is_wide(count(*)) FROM categories"
    ).fetchall()
    lines = [line for (line,) in plan]

    assert "Output: (count(*) > 50)" in [line.strip() for line in lines]
    assert not any("category_subtree_is_wide" in line for line in lines)
