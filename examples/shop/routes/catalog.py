"""Browse and search the catalogue: no login needed."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from examples.shop.dependencies import Db
from examples.shop.schemas import PageOut
from shopdb.models import Category, Product, ProductDetails, ProductFilters, ProductHit

router = APIRouter(tags=["catalog"])
Limit = Annotated[int, Query(ge=1, le=100)]


@router.get("/categories")
async def categories(db: Db) -> list[Category]:
    """Every category, depth first (nest them by parent_id)."""
    return await db.categories.tree()


@router.get("/products")
async def products(
    db: Db, category_id: UUID | None = None, limit: Limit = 20, cursor: str | None = None
) -> PageOut[Product]:
    """Products on sale, newest first, optionally in a category or below it."""
    page = await db.products.list_active(
        ProductFilters(category_id=category_id), limit=limit, cursor=cursor
    )
    return PageOut[Product](items=page.items, next_cursor=page.next_cursor)


@router.get("/products/search")
async def search(
    db: Db,
    q: Annotated[str, Query(min_length=1, max_length=200)],
    limit: Limit = 20,
    cursor: str | None = None,
) -> PageOut[ProductHit]:
    """Products matching every word of ``q`` (the last one as a prefix), best first."""
    page = await db.products.search(q, limit=limit, cursor=cursor)
    return PageOut[ProductHit](items=page.items, next_cursor=page.next_cursor)


@router.get("/products/{product_id}")
async def product(product_id: UUID, db: Db) -> ProductDetails:
    """A product on sale with its variants, stock, categories and media; 404 otherwise."""
    return await db.products.get_with_details(product_id)
