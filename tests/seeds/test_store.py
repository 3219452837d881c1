"""SeedRepository and the kit's COPY helper it stands on."""

from __future__ import annotations

import pytest

from shopdb import Database, Transaction
from shopdb.errors import ConflictError, ProgrammingError
from shopdb.models import NewUser
from shopdb.models.seeds import NaturalKey, RowId
from shopdb.seeds.store import HavingLookup, NaturalKeyLookup, SeedRepository
from tests.support.factories import HASH


def test_copy_runs_inside_a_transaction_only(db: Database) -> None:
    with pytest.raises(ProgrammingError, match="inside a transaction"):
        db.repository(SeedRepository).copy("copy_inventory", [("x", 1, 1)])


def test_copy_of_a_duplicate_key_is_a_conflict(tx: Transaction) -> None:
    store = tx.repository(SeedRepository)

    with pytest.raises(ConflictError) as raised:
        store.copy("copy_users", [("a@example.com", "$argon2id$" + "x" * 30, None, None, None)] * 2)
    assert raised.value.constraint == "users_email_lower_key"


def test_a_changed_description_is_updated_and_an_unchanged_one_left_alone(tx: Transaction) -> None:
    store = tx.repository(SeedRepository)

    assert store.upsert_roles([("staff", "Runs the shop")]) == 1
    assert store.upsert_roles([("staff", "Runs the shop")]) == 0
    assert store.upsert_roles([("staff", "Runs the whole shop")]) == 1
    role = tx.access.find_role("staff")
    assert role is not None and role.description == "Runs the whole shop"


def test_copy_of_nothing_sends_nothing(tx: Transaction) -> None:
    assert tx.repository(SeedRepository).copy("copy_media", []) == 0


def test_every_lookup_is_a_declared_query_of_natural_keys_or_row_ids() -> None:
    declared = SeedRepository.queries

    assert {lookup.query: declared[lookup.query] for lookup in NaturalKeyLookup} == {
        lookup.query: NaturalKey for lookup in NaturalKeyLookup
    }
    assert {lookup.query: declared[lookup.query] for lookup in HavingLookup} == {
        lookup.query: RowId for lookup in HavingLookup
    }


def test_users_are_found_by_email_in_any_case_and_keyed_in_lower_case(tx: Transaction) -> None:
    user = tx.users.create(NewUser(email="Ann@Example.com", password_hash=HASH))
    store = tx.repository(SeedRepository)

    found = store.ids(NaturalKeyLookup.USERS_BY_EMAIL, ["ann@example.com", "bob@example.com"])

    assert found == {"ann@example.com": user.id}
    assert store.having(HavingLookup.USERS_WITH_ADDRESS, [user.id]) == set()
