"""check.effects: the tables a parsed statement writes and row-locks, as the server sees them."""

from __future__ import annotations

from pglast import parse_sql

from shopdb.check.effects import Effects, RowLock, statement_effects


def effects(sql: str) -> Effects:
    """The effects of the one statement of ``sql`` (written with the server's $n placeholders)."""
    return statement_effects(parse_sql(sql)[0].stmt)


def test_a_data_modifying_cte_and_the_main_statement_are_both_writes() -> None:
    found = effects(
        "WITH gone AS (DELETE FROM carts WHERE id = $1 RETURNING id) "
        "INSERT INTO audit_logs (entity_id) SELECT id::text FROM gone"
    )
    assert found.writes == {"carts", "audit_logs"}
    assert not found.is_lock


def test_for_update_of_an_alias_locks_only_that_table() -> None:
    found = effects(
        "SELECT i.variant_id FROM inventory i JOIN product_variants v ON v.id = i.variant_id "
        "WHERE v.product_id = $1 FOR UPDATE OF i"
    )
    assert found.row_locks == {RowLock("inventory", "FOR UPDATE")}
    assert found.is_lock


def test_a_clause_naming_nothing_locks_every_from_item_and_the_tables_of_a_subquery() -> None:
    found = effects(
        "WITH recent AS (SELECT id FROM orders) "
        "SELECT 1 FROM carts c, (SELECT id FROM cart_items) s, recent r, generate_series(1, 2) "
        "FOR KEY SHARE"
    )
    assert found.row_locks == {
        RowLock("carts", "FOR KEY SHARE"),
        RowLock("cart_items", "FOR KEY SHARE"),
    }


def test_a_batch_delete_locking_in_its_subquery_is_a_write_not_a_lock() -> None:
    found = effects(
        "DELETE FROM carts WHERE id IN "
        "(SELECT id FROM carts WHERE expires_at < now() LIMIT 10 FOR UPDATE SKIP LOCKED)"
    )
    assert found.writes == {"carts"}
    assert found.row_locks == {RowLock("carts", "FOR UPDATE")}
    assert not found.is_lock


def test_an_advisory_transaction_lock_is_a_lock_and_a_session_lock_is_not() -> None:
    assert effects("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))").is_lock
    assert not effects("SELECT pg_advisory_lock(hashtextextended($1, 0))").is_lock


def test_copy_from_writes_its_table_and_copy_to_does_not() -> None:
    assert effects("COPY users (email) FROM STDIN").writes == {"users"}
    assert effects("COPY users (email) TO STDOUT").writes == frozenset()


def test_a_table_outside_public_keeps_its_schema() -> None:
    assert effects("UPDATE audit.entries SET x = 1").writes == {"audit.entries"}
