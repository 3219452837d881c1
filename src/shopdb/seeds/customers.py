"""Customers: users with the customer role and one default address, by COPY (those missing)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from shopdb.seeds.progress import Progress
from shopdb.seeds.store import HavingLookup, NaturalKeyLookup, SeedRepository

CHUNK = 1000


@dataclass(frozen=True, slots=True)
class CustomerSpec:
    """A customer and its address; the email is the natural key."""

    email: str
    first_name: str
    last_name: str
    phone: str
    line1: str
    city: str
    postal_code: str
    country: str


def seed_customers(
    store: SeedRepository, specs: Sequence[CustomerSpec], password_hash: str, progress: Progress
) -> list[UUID]:
    """The customers (all with ``password_hash``), their role and address; their ids in the
    order of ``specs``."""
    progress.start("customers", len(specs))
    ids: list[UUID] = []
    for start in range(0, len(specs), CHUNK):
        chunk = specs[start : start + CHUNK]
        emails = [c.email.lower() for c in chunk]
        found = store.ids(NaturalKeyLookup.USERS_BY_EMAIL, emails)
        store.copy(
            "copy_users",
            [
                (c.email, password_hash, c.first_name, c.last_name, c.phone)
                for c in chunk
                if c.email.lower() not in found
            ],
        )
        if len(found) < len(chunk):
            found = store.ids(NaturalKeyLookup.USERS_BY_EMAIL, emails)
        chunk_ids = [found[email] for email in emails]
        store.assign_role(chunk_ids, "customer")
        housed = store.having(HavingLookup.USERS_WITH_ADDRESS, chunk_ids)
        store.copy(
            "copy_addresses",
            [
                (uid, "Home", f"{c.first_name} {c.last_name}", c.phone, c.line1, c.city,
                 c.postal_code, c.country, True)
                for uid, c in zip(chunk_ids, chunk, strict=True)
                if uid not in housed
            ],
        )  # fmt: skip
        ids += chunk_ids
        progress.advance(len(chunk))
    progress.finish()
    return ids
