"""A customer's address book: the owner-bound queries and the view's methods."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from shopdb.customers.base import CustomerRepository
from shopdb.models.addresses import Address, AddressPatch, NewAddress
from shopdb.repositories.addresses import AddressRepository

if TYPE_CHECKING:
    from shopdb.components import Components


class CustomerAddressRepository(CustomerRepository):
    """Addresses by id, bound to their owner (sql/customer_addresses.sql)."""

    namespace = "customer_addresses"
    entity = "address"
    aggregate = AddressRepository
    queries = {"get": Address, "update": Address, "delete": None}

    def get(self, address_id: UUID, *, user_id: UUID) -> Address:
        """The user's live address; NotFoundError otherwise (another user's too)."""
        return self._get("get", Address, id=address_id, user_id=user_id)

    def update(self, address_id: UUID, patch: AddressPatch, *, user_id: UUID) -> Address:
        """Apply ``patch`` to the user's live address; NotFoundError otherwise."""
        return self._patch("update", Address, patch, id=address_id, user_id=user_id)

    def delete(self, address_id: UUID, *, user_id: UUID) -> None:
        """Soft-delete the user's live address; NotFoundError otherwise."""
        self._touch("delete", id=address_id, user_id=user_id)


class CustomerAddresses:
    """``db.customer(user_id).addresses``: the customer's address book."""

    def __init__(self, unit: Components, user_id: UUID) -> None:
        self._unit = unit
        self._user_id = user_id
        self._own = unit.repository(CustomerAddressRepository)

    def create(self, new: NewAddress) -> Address:
        """Add an address to the customer's book."""
        return self._unit.addresses.create(self._user_id, new)

    def get(self, address_id: UUID) -> Address:
        """The customer's live address; NotFoundError otherwise."""
        return self._own.get(address_id, user_id=self._user_id)

    def update(self, address_id: UUID, patch: AddressPatch) -> Address:
        """Apply ``patch`` to the customer's live address; NotFoundError otherwise."""
        return self._own.update(address_id, patch, user_id=self._user_id)

    def delete(self, address_id: UUID) -> None:
        """Soft-delete the customer's live address; NotFoundError otherwise."""
        self._own.delete(address_id, user_id=self._user_id)

    def list_for_user(self) -> list[Address]:
        """The customer's live addresses, the default first."""
        return self._unit.addresses.list_for_user(self._user_id)

    def set_default(self, address_id: UUID) -> Address:
        """Make the customer's address their only default; NotFoundError otherwise."""
        return self._unit.addresses.set_default(self._user_id, address_id)
