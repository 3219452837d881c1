"""Servers of the scale tests: a primary with a streaming standby, started once per module."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from uuid import uuid4

import pytest
from prometheus_client import REGISTRY

from shopdb import Database
from shopdb.models.products import NewProduct, NewVariant, Product, ProductStatus
from tests.conftest import TEST_API_KEY_PEPPER, TEST_TWO_FACTOR_KEY
from tests.support.replication import Node, streaming_pair

SECRETS = {
    "cursor_secret": "test-cursor-secret-0123456789abcdef",
    "api_key_pepper": TEST_API_KEY_PEPPER,
    "two_factor_key": TEST_TWO_FACTOR_KEY,
}


@pytest.fixture(scope="module")
def pair() -> Iterator[tuple[Node, Node]]:
    """A primary (its ``shop`` database migrated) and a streaming standby of it."""
    with streaming_pair() as nodes:
        yield nodes


def counted(metric: str, **labels: str) -> float:
    """The current value of a counter's series (0 before its first increment)."""
    return REGISTRY.get_sample_value(metric, labels) or 0.0


def new_product(db: Database) -> Product:
    """An ACTIVE product with one variant, created on the primary (a unit of work)."""
    slug = f"p-{uuid4().hex[:12]}"
    new = NewProduct(
        title="Lamp",
        slug=slug,
        status=ProductStatus.ACTIVE,
        price=Decimal(10),
        variants=[NewVariant(title="One", sku=slug, price=Decimal(10), is_primary=True)],
    )
    return db.products.create_with_variants(new).product
