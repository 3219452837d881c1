"""AddressRepository: each user's address book over sql/addresses.sql."""

from __future__ import annotations

from uuid import UUID

from shopdb.core.errors import NotFoundError
from shopdb.core.repository import Repository
from shopdb.models.addresses import Address, AddressPatch, NewAddress


class AddressRepository(Repository):
    """Addresses. Deleted ones are hidden from every read; one live default per user."""

    namespace = "addresses"
    entity = "address"
    queries = {
        "create": Address,
        "get": Address,
        "update": Address,
        "delete": None,
        "list_for_user": Address,
        "lock_owner": None,
        "clear_default": None,
        "mark_default": Address,
    }
    constraint_messages = {
        "addresses_user_id_fkey": "there is no such user",
        "addresses_user_id_is_default_key": "the user already has a default address",
        "addresses_country_check": "country must be an ISO 3166-1 alpha-2 code such as TR",
        "addresses_phone_check": "phone must be in E.164 form such as +905551234567",
        "addresses_full_name_check": "full_name must be 1 to 200 characters",
    }

    def create(self, user_id: UUID, new: NewAddress) -> Address:
        """Add an address to the user's book (not the default: see ``set_default``)."""
        return self._get("create", Address, user_id=user_id, **new.model_dump())

    def get(self, address_id: UUID) -> Address:
        """The live address with this id; NotFoundError otherwise."""
        return self._get("get", Address, id=address_id)

    def update(self, address_id: UUID, patch: AddressPatch) -> Address:
        """Apply the fields set in ``patch``; NotFoundError when the address is gone."""
        return self._patch("update", Address, patch, id=address_id)

    def delete(self, address_id: UUID) -> None:
        """Soft-delete the address (it stops being the default); NotFoundError when gone."""
        self._touch("delete", id=address_id)

    def list_for_user(self, user_id: UUID) -> list[Address]:
        """The user's live addresses, the default first."""
        return self._list("list_for_user", Address, user_id=user_id)

    def set_default(self, user_id: UUID, address_id: UUID) -> Address:
        """Make the address the user's only default, atomically; NotFoundError when it is not
        a live address of this user. Locks, in this order: the user's row (so concurrent
        calls for one user run one after the other and each sees the last one's result),
        the current default address, then the chosen one."""

        return self._run_atomic(lambda tx: self._on(tx)._move_default(user_id, address_id))

    def _move_default(self, user_id: UUID, address_id: UUID) -> Address:
        if self._value("lock_owner", user_id=user_id) is None:
            raise NotFoundError(self.entity, address_id)
        self._count("clear_default", user_id=user_id)
        return self._get("mark_default", Address, id=address_id, user_id=user_id)
