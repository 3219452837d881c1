"""Categories: the tree node read model, its create and rename inputs, and the product summary
that ``products_in`` lists."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, Field, StringConstraints, field_validator

from shopdb.core.errors import ConstraintViolation, DomainError
from shopdb.models.base import InputModel, RowModel, Text

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
"""The slug rule of categories, collections and products (their *_slug_check constraints)."""

Slug = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=SLUG_PATTERN)]


def _no_nul(value: str) -> str:
    """No NUL character (PostgreSQL text cannot hold one)."""
    if "\x00" in value:
        raise ValueError("must not contain the NUL character")
    return value


CategoryName = Annotated[
    str, StringConstraints(min_length=1, max_length=200), AfterValidator(_no_nul)
]
DisplayOrder = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]
Url = Annotated[str, StringConstraints(min_length=1, max_length=2048), AfterValidator(_no_nul)]


class Category(RowModel):
    """A category with its place in the tree: ``level`` 0 for a root, ``path`` the slugs from
    the root down joined by ``/``. Both are kept by the database, never written by callers."""

    id: UUID
    name: str
    slug: str
    description: str | None
    parent_id: UUID | None
    level: int
    path: str
    image_url: str | None
    icon_url: str | None
    display_order: int
    created_at: datetime
    updated_at: datetime


class NewCategory(InputModel):
    """What it takes to create a category; ``parent_id`` None makes a root."""

    name: CategoryName
    slug: Slug
    description: Text | None = None
    parent_id: UUID | None = None
    image_url: Url | None = None
    icon_url: Url | None = None
    display_order: DisplayOrder = 0


class CategoryRename(InputModel):
    """A new name, and optionally a new slug (which rewrites the path of the whole subtree)."""

    name: CategoryName
    slug: Slug | None = None


class CategoryPatch(InputModel):
    """The fields ``categories.update`` changes: only those given (None clears an optional
    one). The name and slug change through ``rename``, the parent through ``move``."""

    name: CategoryName | None = None
    description: Text | None = None
    image_url: Url | None = None
    icon_url: Url | None = None
    display_order: DisplayOrder | None = None

    @field_validator("name", "display_order")
    @classmethod
    def _not_cleared(cls, value: object) -> object:
        """Cannot be cleared (set to None)."""
        if value is None:
            raise ValueError("cannot be cleared")
        return value


class CategoryProduct(RowModel):
    """A live product as ``products_in`` lists it: enough for a listing page."""

    id: UUID
    title: str
    slug: str
    status: str
    price: Decimal
    currency: str
    created_at: datetime
    updated_at: datetime


class CategoryCycleError(DomainError, ConstraintViolation):
    """A move would put a category under itself or one of its own descendants
    (categories_parent_id_cycle_check, SQLSTATE 23514). Also a ConstraintViolation, as it
    was before it had a class of its own: code that caught that still catches it."""

    def __init__(
        self,
        message: str,
        *,
        constraint: str | None = None,
        table: str | None = None,
        column: str | None = None,
    ) -> None:
        super().__init__(message, constraint=constraint, table=table, column=column)
        self.sqlstate = "23514"


class CategoryContents(RowModel):
    """What holds a category back from deletion: its product links and child categories."""

    products: int
    children: int


class CategoryNotEmpty(DomainError, ConstraintViolation):
    """A category that still holds products or child categories cannot be deleted: move or
    delete them first (``.products`` and ``.children`` say how many held it back; 0 and 0
    when a product linked meanwhile made the foreign key refuse it). Also a
    ConstraintViolation, as that refusal was before it had a class of its own."""

    def __init__(
        self,
        message: str,
        *,
        products: int = 0,
        children: int = 0,
        constraint: str | None = None,
        table: str | None = None,
        column: str | None = None,
    ) -> None:
        super().__init__(message, constraint=constraint, table=table, column=column)
        self.products = products
        self.children = children
