"""db.customer(user_id).addresses: the customer's own address book only."""

from __future__ import annotations

import pytest

from shopdb import Transaction
from shopdb.customers import CustomerView
from shopdb.errors import NotFoundError
from shopdb.models import AddressPatch, NewAddress
from tests.customer.conftest import row
from tests.repositories.fixture_orders import Shop


def new_address() -> NewAddress:
    return NewAddress(full_name="Alice Buyer", line1="2 Side St", city="Izmir", country="TR")


def test_the_customer_reads_writes_and_defaults_their_own_addresses(
    mine: CustomerView, alice: Shop
) -> None:
    added = mine.addresses.create(new_address())

    assert added.user_id == alice.user_id
    assert mine.addresses.get(added.id) == added
    assert mine.addresses.update(added.id, AddressPatch(city="Ankara")).city == "Ankara"
    assert mine.addresses.set_default(added.id).is_default
    assert [a.id for a in mine.addresses.list_for_user()] == [added.id, alice.address_id]
    mine.addresses.delete(added.id)
    with pytest.raises(NotFoundError):
        mine.addresses.get(added.id)


def test_another_customers_address_is_not_found_and_stays_as_it_was(
    tx: Transaction, mine: CustomerView, mallory: Shop
) -> None:
    theirs = mallory.address_id
    before = row(tx.connection, "addresses", theirs)

    with pytest.raises(NotFoundError, match="address"):
        mine.addresses.get(theirs)
    with pytest.raises(NotFoundError, match="address"):
        mine.addresses.update(theirs, AddressPatch(city="Nowhere"))
    with pytest.raises(NotFoundError, match="address"):
        mine.addresses.delete(theirs)
    with pytest.raises(NotFoundError, match="address"):
        mine.addresses.set_default(theirs)

    assert row(tx.connection, "addresses", theirs) == before
    assert theirs not in [a.id for a in mine.addresses.list_for_user()]
