"""AddressRepository: each user's address book over sql/addresses.sql."""

from __future__ import annotations

from uuid import UUID

from shopdb.core.unit_async import unit_of_work
from shopdb.models.addresses import Address, AddressPatch, NewAddress
from shopdb.models.users import ERASED_OWNER, UserErased
from shopdb.repositories.base_async import AsyncShopRepository


class AsyncAddressRepository(AsyncShopRepository):
    """Addresses. Deleted ones are hidden from every read; one live default per user."""

    namespace = "addresses"
    entity = "address"
    tables = ("addresses",)
    locks = {"lock_owner": None}
    queries = {
        "create": Address,
        "get": Address,
        "update": Address,
        "delete": None,
        "list_for_user": Address,
        "clear_default": None,
        "mark_default": Address,
        "erase_for_user": None,
    }
    constraint_messages = {
        "addresses_user_id_fkey": "there is no such user",
        "addresses_user_id_is_default_key": "the user already has a default address",
        "addresses_country_check": "country must be an ISO 3166-1 alpha-2 code such as TR",
        "addresses_phone_check": "phone must be in E.164 form such as +905551234567",
        "addresses_full_name_check": "full_name must be 1 to 200 characters",
        "addresses_owner_not_erased_check": ERASED_OWNER,
    }
    constraint_errors = {
        "addresses_owner_not_erased_check": UserErased,
    }

    async def create(self, user_id: UUID, new: NewAddress) -> Address:
        """Add an address to the user's book (not the default: see ``set_default``)."""
        return await self._get("create", Address, user_id=user_id, **new.model_dump())

    async def get(self, address_id: UUID) -> Address:
        """The live address with this id; NotFoundError otherwise."""
        return await self._get("get", Address, id=address_id)

    async def update(self, address_id: UUID, patch: AddressPatch) -> Address:
        """Apply the fields set in ``patch``; NotFoundError when the address is gone."""
        return await self._patch("update", Address, patch, id=address_id)

    async def delete(self, address_id: UUID) -> None:
        """Soft-delete the address (it stops being the default); NotFoundError when gone."""
        await self._touch("delete", id=address_id)

    async def list_for_user(self, user_id: UUID) -> list[Address]:
        """The user's live addresses, the default first."""
        return await self._list("list_for_user", Address, user_id=user_id)

    async def erase_for_user(self, user_id: UUID) -> int:
        """The addresses' step of an erasure (``db.erasure.erase``): every address of the user
        deleted and anonymized (name, phone, label, lines, state, postal code), only city and
        country kept; orders keep pointing at the rows. How many addresses."""
        return await self._count("erase_for_user", user_id=user_id)

    @unit_of_work
    async def set_default(self, user_id: UUID, address_id: UUID) -> Address:
        """Make the address the user's only default, atomically; NotFoundError when it is not
        a live address of this user. Locks, in this order: the user's address lock (an
        advisory lock: concurrent calls for one user run one after the other and each sees
        the last one's result), the current default address, then the chosen one."""
        await self._lock("lock_owner", None, user_id=user_id)
        await self._count("clear_default", user_id=user_id)
        return await self._get("mark_default", Address, id=address_id, user_id=user_id)
