"""Collections: the read model, its create input, a membership row and a listed member."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from pydantic import field_validator

from shopdb.core.errors import DomainError
from shopdb.models.base import InputModel, RowModel, Text
from shopdb.models.categories import CategoryName, DisplayOrder, Slug, Url


class CollectionStatus(StrEnum):
    """Whether a collection is shown (collections_status_check)."""

    DRAFT = "DRAFT"
    ACTIVE = "ACTIVE"
    ARCHIVED = "ARCHIVED"


class Collection(RowModel):
    """A curated, ordered group of products."""

    id: UUID
    name: str
    slug: str
    description: str | None
    image_url: str | None
    status: CollectionStatus
    display_order: int
    created_at: datetime
    updated_at: datetime


class NewCollection(InputModel):
    """What it takes to create a collection."""

    name: CategoryName
    slug: Slug
    description: Text | None = None
    image_url: Url | None = None
    status: CollectionStatus = CollectionStatus.DRAFT
    display_order: DisplayOrder = 0


class CollectionPatch(InputModel):
    """The fields ``collections.update`` changes: only those given (None clears an optional
    one)."""

    name: CategoryName | None = None
    slug: Slug | None = None
    description: Text | None = None
    image_url: Url | None = None
    status: CollectionStatus | None = None
    display_order: DisplayOrder | None = None

    @field_validator("name", "slug", "status", "display_order")
    @classmethod
    def _not_cleared(cls, value: object) -> object:
        """Cannot be cleared (set to None)."""
        if value is None:
            raise ValueError("cannot be cleared")
        return value


class CollectionMembership(RowModel):
    """One product's place in one collection."""

    collection_id: UUID
    product_id: UUID
    display_order: int
    created_at: datetime
    updated_at: datetime


class CollectionProduct(RowModel):
    """A live product of a collection as ``list_products`` gives it, in display order."""

    collection_id: UUID
    product_id: UUID
    display_order: int
    title: str
    slug: str
    status: str
    price: Decimal
    currency: str
    added_at: datetime


class CollectionOrderError(DomainError):
    """A reorder of a collection did not list each of its live products exactly once."""
