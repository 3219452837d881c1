"""A customer's address book: the owner-bound queries and the view's methods."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from shopdb.customers.base_async import AsyncCustomerRepository
from shopdb.models.addresses import Address, AddressPatch, NewAddress
from shopdb.repositories.addresses_async import AsyncAddressRepository

if TYPE_CHECKING:
    from shopdb.components_async import AsyncComponents


class AsyncCustomerAddressRepository(AsyncCustomerRepository):
    """Addresses by id, bound to their owner (sql/customer_addresses.sql)."""

    namespace = "customer_addresses"
    entity = "address"
    aggregate = AsyncAddressRepository
    queries = {"get": Address, "update": Address, "delete": None}

    async def get(self, address_id: UUID, *, user_id: UUID) -> Address:
        """The user's live address; NotFoundError otherwise (another user's too)."""
        return await self._get("get", Address, id=address_id, user_id=user_id)

    async def update(self, address_id: UUID, patch: AddressPatch, *, user_id: UUID) -> Address:
        """Apply ``patch`` to the user's live address; NotFoundError otherwise."""
        return await self._patch("update", Address, patch, id=address_id, user_id=user_id)

    async def delete(self, address_id: UUID, *, user_id: UUID) -> None:
        """Soft-delete the user's live address; NotFoundError otherwise."""
        await self._touch("delete", id=address_id, user_id=user_id)


class AsyncCustomerAddresses:
    """``db.customer(user_id).addresses``: the customer's address book."""

    def __init__(self, unit: AsyncComponents, user_id: UUID) -> None:
        self._unit = unit
        self._user_id = user_id
        self._own = unit.repository(AsyncCustomerAddressRepository)

    async def create(self, new: NewAddress) -> Address:
        """Add an address to the customer's book."""
        return await self._unit.addresses.create(self._user_id, new)

    async def get(self, address_id: UUID) -> Address:
        """The customer's live address; NotFoundError otherwise."""
        return await self._own.get(address_id, user_id=self._user_id)

    async def update(self, address_id: UUID, patch: AddressPatch) -> Address:
        """Apply ``patch`` to the customer's live address; NotFoundError otherwise."""
        return await self._own.update(address_id, patch, user_id=self._user_id)

    async def delete(self, address_id: UUID) -> None:
        """Soft-delete the customer's live address; NotFoundError otherwise."""
        await self._own.delete(address_id, user_id=self._user_id)

    async def list_for_user(self) -> list[Address]:
        """The customer's live addresses, the default first."""
        return await self._unit.addresses.list_for_user(self._user_id)

    async def set_default(self, address_id: UUID) -> Address:
        """Make the customer's address their only default; NotFoundError otherwise."""
        return await self._unit.addresses.set_default(self._user_id, address_id)
