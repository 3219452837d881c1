"""Products: the product and variant reads, their inputs, and the detail models of
get_with_details (variants with their stock, category and media references)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from psycopg import adapters
from psycopg.types.json import JsonbDumper
from pydantic import AfterValidator, Field, StringConstraints, field_validator, model_validator

from shopdb.models.base import InputModel, RowModel, Text


class JsonObject(dict[str, Any]):
    """A JSON object on its way to a jsonb column (psycopg sends it as jsonb)."""


adapters.register_dumper(JsonObject, JsonbDumper)
Attributes = Annotated[dict[str, Any], AfterValidator(JsonObject)]
"""A jsonb object input: validated as a dict, sent as jsonb."""

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
Slug = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=SLUG_PATTERN)]
Title = Annotated[Text, StringConstraints(min_length=1, max_length=300)]
Sku = Annotated[Text, StringConstraints(min_length=1, max_length=100)]
Money = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2, allow_inf_nan=False)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Quantity = Annotated[int, Field(ge=0, le=2_000_000_000, strict=True)]
Description = Annotated[Text, StringConstraints(max_length=50_000)]
"""A product description: the search vector is built from it (tsvector holds at most 1 MB)."""
Summary = Annotated[Text, StringConstraints(max_length=1_000)]
Keyword = Annotated[Text, StringConstraints(min_length=1, max_length=100)]


class ProductStatus(StrEnum):
    """Lifecycle of a product; only ACTIVE products are listed to shoppers."""

    DRAFT = "DRAFT"
    ACTIVE = "ACTIVE"
    ARCHIVED = "ARCHIVED"


class InventoryPolicy(StrEnum):
    """What a reservation beyond the available stock does (see db.inventory.reserve)."""

    TRACK = "TRACK"
    CONTINUE = "CONTINUE"
    DENY = "DENY"


class ProductSort(StrEnum):
    """Orders of list_active: newest first (created_at, id) or by price (price, id)."""

    NEWEST = "NEWEST"
    PRICE_ASC = "PRICE_ASC"
    PRICE_DESC = "PRICE_DESC"


class Product(RowModel):
    """A product as the reads return it (search_vector is never selected)."""

    id: UUID
    title: str
    slug: str
    sku: str | None
    description: str | None
    summary: str | None
    status: ProductStatus
    price: Decimal
    compare_at_price: Decimal | None
    currency: str
    inventory_policy: InventoryPolicy
    search_keywords: list[str]
    attributes: dict[str, Any]
    version: int
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None


class ProductPrice(RowModel):
    """The price of a product: the state change_price records in the audit log."""

    id: UUID
    price: Decimal
    currency: str

    @classmethod
    def of(cls, product: Product) -> ProductPrice:
        """The price part of a product."""
        return cls(id=product.id, price=product.price, currency=product.currency)


class ProductHit(Product):
    """A search result: the product and its full-text rank (higher is better)."""

    rank: Decimal
    window_before: UUID
    """Where the window of matches it was ranked in starts: search ranks the newest matches
    with an id below this one together (ProductRepository.search)."""


class Variant(RowModel):
    """A purchasable variant of a product."""

    id: UUID
    product_id: UUID
    title: str
    sku: str
    price: Decimal
    compare_at_price: Decimal | None
    attributes: dict[str, Any]
    weight_grams: int | None
    is_primary: bool
    created_at: datetime
    updated_at: datetime


class VariantStock(Variant):
    """A variant with its inventory counters (None when it has no inventory row)."""

    quantity_on_hand: int | None
    quantity_reserved: int | None
    quantity_available: int | None


class ProductCategoryRef(RowModel):
    """A category a product is in, as get_with_details shows it."""

    product_id: UUID
    category_id: UUID
    name: str
    slug: str
    path: str
    is_primary: bool


class ProductMediaRef(RowModel):
    """A medium of a product, in display order, as get_with_details shows it."""

    product_id: UUID
    media_id: UUID
    url: str
    type: str
    alt: str | None
    sort_order: int
    is_primary: bool


class VariantOwner(RowModel):
    """Which product a variant belongs to."""

    variant_id: UUID
    product_id: UUID


class ProductDetails(RowModel):
    """A product with its variants (and their stock), categories and media."""

    product: Product
    variants: list[VariantStock]
    categories: list[ProductCategoryRef]
    media: list[ProductMediaRef]

    @property
    def primary_variant(self) -> VariantStock | None:
        """The primary variant (the database keeps exactly one while there are variants)."""
        return next((v for v in self.variants if v.is_primary), None)


class NewVariant(InputModel):
    """A variant to create, with its initial stock."""

    title: Title
    sku: Sku
    price: Money
    compare_at_price: Money | None = None
    attributes: Attributes = Field(default_factory=JsonObject)
    weight_grams: Quantity | None = None
    is_primary: bool = False
    quantity_on_hand: Quantity = 0
    low_stock_threshold: Quantity = 0


class NewProduct(InputModel):
    """A product to create with its variants (exactly one primary) and category links."""

    title: Title
    slug: Slug
    sku: Sku | None = None
    description: Description | None = None
    summary: Summary | None = None
    status: ProductStatus = ProductStatus.DRAFT
    price: Money
    compare_at_price: Money | None = None
    currency: Currency = "TRY"
    inventory_policy: InventoryPolicy = InventoryPolicy.TRACK
    search_keywords: list[Keyword] = Field(default_factory=list, max_length=100)
    attributes: Attributes = Field(default_factory=JsonObject)
    variants: list[NewVariant] = Field(min_length=1, max_length=500)
    category_ids: list[UUID] = Field(default_factory=list, max_length=100)
    primary_category_id: UUID | None = None

    @model_validator(mode="after")
    def _one_primary(self) -> NewProduct:
        """Exactly one variant is primary, the variants' skus differ, and primary_category_id is
        one of category_ids."""
        primaries = sum(1 for variant in self.variants if variant.is_primary)
        if primaries != 1:
            raise ValueError(f"exactly one variant must be primary ({primaries} are)")
        if len({v.sku for v in self.variants}) != len(self.variants):
            raise ValueError("the variants' skus must differ")
        if self.primary_category_id is not None and self.primary_category_id not in set(
            self.category_ids
        ):
            raise ValueError("primary_category_id must be one of category_ids")
        return self


class ProductPatch(InputModel):
    """The fields update() may change: only those given change; None clears an optional one.
    Price changes go through change_price (audited), archiving and deletion through theirs."""

    title: Title | None = None
    slug: Slug | None = None
    sku: Sku | None = None
    description: Description | None = None
    summary: Summary | None = None
    status: ProductStatus | None = None
    compare_at_price: Money | None = None
    inventory_policy: InventoryPolicy | None = None
    search_keywords: list[Keyword] | None = Field(default=None, max_length=100)
    attributes: Attributes | None = None

    @field_validator("title", "slug", "status", "inventory_policy", "search_keywords", "attributes")
    @classmethod
    def _not_cleared(cls, value: object) -> object:
        """Cannot be cleared (set to None)."""
        if value is None:
            raise ValueError("cannot be cleared")
        return value


class VariantPatch(InputModel):
    """The fields update_variant() may change. is_primary=True hands the primary role over
    (the previous primary is demoted); False demotes it and the oldest other variant is
    promoted (a product left without one is refused at COMMIT)."""

    title: Title | None = None
    price: Money | None = None
    compare_at_price: Money | None = None
    attributes: Attributes | None = None
    weight_grams: Quantity | None = None
    is_primary: bool | None = None

    @field_validator("title", "price", "attributes", "is_primary")
    @classmethod
    def _not_cleared(cls, value: object) -> object:
        """Cannot be cleared (set to None)."""
        if value is None:
            raise ValueError("cannot be cleared")
        return value


class ProductFilters(InputModel):
    """The optional filters of list_active, list_page and search."""

    category_id: UUID | None = None
    """The category or any of its descendants."""
    collection_id: UUID | None = None
    min_price: Money | None = None
    max_price: Money | None = None
    status: ProductStatus | None = ProductStatus.ACTIVE
    """None: every status (admin listings)."""
