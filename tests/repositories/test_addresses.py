"""AddressRepository against a real PostgreSQL: the address book and its single default."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from uuid import UUID, uuid4

import pytest

from shopdb import Database
from shopdb.errors import ConstraintViolation, InvalidInput, NotFoundError
from shopdb.models import Address, AddressPatch, NewAddress
from shopdb.transaction import Transaction
from tests.support.factories import new_user


def new_address(**overrides: Any) -> NewAddress:
    values: dict[str, Any] = {
        "full_name": "Ada Lovelace",
        "line1": "1 Main Street",
        "city": "Istanbul",
        "country": "TR",
    }
    values.update(overrides)
    return NewAddress.model_validate(values)


@pytest.fixture
def user_id(tx: Transaction) -> UUID:
    return tx.users.create(new_user()).id


def test_create_stores_every_field_and_is_not_the_default(tx: Transaction, user_id: UUID) -> None:
    new = new_address(label="Home", phone="+905551234567", line2="Flat 2", state="IST",
                      postal_code="34000")  # fmt: skip

    address = tx.addresses.create(user_id, new)

    assert address.user_id == user_id
    assert (address.label, address.phone, address.line2, address.state, address.postal_code) == (
        "Home", "+905551234567", "Flat 2", "IST", "34000",
    )  # fmt: skip
    assert address.is_default is False
    assert tx.addresses.get(address.id) == address


def test_create_for_a_missing_user_names_the_foreign_key(tx: Transaction) -> None:
    with pytest.raises(ConstraintViolation) as caught, tx.savepoint():
        tx.addresses.create(uuid4(), new_address())

    assert caught.value.constraint == "addresses_user_id_fkey"


@pytest.mark.parametrize(
    ("field", "value"),
    [("country", "tr"), ("country", "TUR"), ("phone", "555-0100"), ("full_name", "")],
)
def test_malformed_input_is_refused_before_the_database(field: str, value: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        new_address(**{field: value})

    assert [error["field"] for error in caught.value.errors] == [field]


def test_the_schema_refuses_a_bad_country_even_without_the_model(
    tx: Transaction, user_id: UUID
) -> None:
    bad = NewAddress.model_construct(**new_address().model_dump() | {"country": "tr"})

    with pytest.raises(ConstraintViolation) as caught, tx.savepoint():
        tx.addresses.create(user_id, bad)

    assert caught.value.constraint == "addresses_country_check"


def test_update_changes_only_the_given_fields_and_clears_with_none(
    tx: Transaction, user_id: UUID
) -> None:
    address = tx.addresses.create(user_id, new_address(label="Home", line2="Flat 2"))

    changed = tx.addresses.update(address.id, AddressPatch(city="Ankara", line2=None))

    assert (changed.city, changed.line2, changed.label) == ("Ankara", None, "Home")
    assert changed.line1 == address.line1


def test_a_required_field_cannot_be_cleared() -> None:
    with pytest.raises(InvalidInput) as caught:
        AddressPatch(city=None)

    assert [error["field"] for error in caught.value.errors] == ["city"]


def test_update_of_a_missing_address_is_not_found(tx: Transaction) -> None:
    with pytest.raises(NotFoundError):
        tx.addresses.update(uuid4(), AddressPatch(city="Ankara"))


def test_delete_hides_the_address_and_a_second_delete_is_not_found(
    tx: Transaction, user_id: UUID
) -> None:
    address = tx.addresses.create(user_id, new_address())

    tx.addresses.delete(address.id)

    with pytest.raises(NotFoundError):
        tx.addresses.get(address.id)
    assert tx.addresses.list_for_user(user_id) == []
    with pytest.raises(NotFoundError):
        tx.addresses.delete(address.id)


def test_list_for_user_shows_only_that_users_addresses_default_first(
    tx: Transaction, user_id: UUID
) -> None:
    other = tx.users.create(new_user()).id
    first = tx.addresses.create(user_id, new_address(label="first"))
    second = tx.addresses.create(user_id, new_address(label="second"))
    tx.addresses.create(other, new_address(label="other"))

    tx.addresses.set_default(user_id, second.id)

    assert [a.label for a in tx.addresses.list_for_user(user_id)] == ["second", "first"]
    assert [a.id for a in tx.addresses.list_for_user(user_id)] == [second.id, first.id]


def test_set_default_moves_the_flag_so_exactly_one_address_is_default(
    tx: Transaction, user_id: UUID
) -> None:
    a = tx.addresses.create(user_id, new_address())
    b = tx.addresses.create(user_id, new_address())

    assert tx.addresses.set_default(user_id, a.id).is_default
    moved = tx.addresses.set_default(user_id, b.id)

    assert moved.id == b.id and moved.is_default
    assert [x.id for x in tx.addresses.list_for_user(user_id) if x.is_default] == [b.id]


def test_set_default_twice_on_one_address_keeps_it_the_default(
    tx: Transaction, user_id: UUID
) -> None:
    a = tx.addresses.create(user_id, new_address())
    tx.addresses.set_default(user_id, a.id)

    assert tx.addresses.set_default(user_id, a.id).is_default
    assert [x.is_default for x in tx.addresses.list_for_user(user_id)] == [True]


def test_set_default_with_another_users_address_is_not_found_and_changes_nothing(
    tx: Transaction, user_id: UUID
) -> None:
    mine = tx.addresses.create(user_id, new_address())
    tx.addresses.set_default(user_id, mine.id)
    theirs = tx.addresses.create(tx.users.create(new_user()).id, new_address())

    with pytest.raises(NotFoundError):
        tx.addresses.set_default(user_id, theirs.id)

    assert tx.addresses.get(mine.id).is_default
    assert not tx.addresses.get(theirs.id).is_default


def test_set_default_for_a_missing_user_is_not_found(tx: Transaction) -> None:
    with pytest.raises(NotFoundError):
        tx.addresses.set_default(uuid4(), uuid4())


def test_deleting_the_default_leaves_no_default_and_another_can_take_it(
    tx: Transaction, user_id: UUID
) -> None:
    a = tx.addresses.create(user_id, new_address())
    b = tx.addresses.create(user_id, new_address())
    tx.addresses.set_default(user_id, a.id)

    tx.addresses.delete(a.id)

    assert not tx.addresses.get(b.id).is_default
    assert tx.addresses.set_default(user_id, b.id).is_default


def test_concurrent_set_default_calls_leave_exactly_one_default(db: Database) -> None:
    user_id = db.users.create(new_user()).id
    addresses = [db.addresses.create(user_id, new_address(label=f"a{i}")) for i in range(4)]
    db.addresses.set_default(user_id, addresses[0].id)
    barrier = threading.Barrier(len(addresses), timeout=10)

    def race(address: Address) -> UUID:
        barrier.wait()
        return db.addresses.set_default(user_id, address.id).id

    for _ in range(3):
        barrier.reset()
        with ThreadPoolExecutor(max_workers=len(addresses)) as pool:
            winners = list(pool.map(race, addresses))

        assert sorted(winners) == sorted(a.id for a in addresses)  # every call succeeded
        defaults = [a.id for a in db.addresses.list_for_user(user_id) if a.is_default]
        assert len(defaults) == 1
        assert defaults[0] in winners
