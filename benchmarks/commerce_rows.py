"""The rows of the commerce data set (benchmarks/commerce_data.py loads them): ids, prices and
statuses derived from row numbers, so the benchmarks know them, and COPY text-format lines.

Order n belongs to user n % users and was placed at a fixed step over two years, so a user's
orders lie far apart in the table; its items (``Size.items_of(n)``) name catalog variants
spread by a stride, and its subtotal and total are what they add up to.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import UUID

CATALOG_PRODUCTS = 1_000
VARIANTS_PER_PRODUCT = 2
STOCK = 1_000_000_000
PASSWORD_HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2VlZHNlZWQ$YmVuY2htYXJraGFzaA"
SPAN = timedelta(days=730)
GENERATOR = "commerce_data v1"
# Of every 100 orders, by n * 37 % 100: the share of each status.
STATUS_SHARES = (
    ("DELIVERED", 70),
    ("SHIPPED", 5),
    ("FULFILLED", 3),
    ("PAID", 5),
    ("PENDING", 7),
    ("CANCELLED", 10),
)


def user_id(n: int) -> UUID:
    """The id of generated user n (fixed, so the benchmarks know it)."""
    return UUID(int=(0xC0 << 120) | n)


def product_id(p: int) -> UUID:
    """The id of generated product p."""
    return UUID(int=(0xC1 << 120) | p)


def variant_id(v: int) -> UUID:
    """The id of generated variant v (product v // 2)."""
    return UUID(int=(0xC2 << 120) | v)


def order_id(n: int) -> UUID:
    """The id of generated order n: increasing with n, as time-ordered UUIDs are."""
    return UUID(int=(0xC4 << 120) | n)


def variant_price(v: int) -> Decimal:
    """The price of variant v: 5.00 to 253.75 in steps of 1.25."""
    return Decimal("5.00") + Decimal("1.25") * (v % 200)


PRICES = [variant_price(v) for v in range(CATALOG_PRODUCTS * VARIANTS_PER_PRODUCT)]


def order_status(n: int) -> str:
    """The status of order n, in the shares of STATUS_SHARES."""
    slot = n * 37 % 100
    for status, share in STATUS_SHARES:
        if slot < share:
            return status
        slot -= share
    raise AssertionError("the shares add up to 100")


@dataclass(frozen=True, slots=True)
class Size:
    """What a data set holds."""

    users: int
    orders: int
    items: int

    @property
    def database(self) -> str:
        """The name of the database that holds this size."""
        return f"bench_commerce_{self.users}_{self.orders}_{self.items}"

    @property
    def marker(self) -> str:
        """The comment a complete data set of this size carries."""
        return f"{GENERATOR}: users={self.users} orders={self.orders} items={self.items}"

    def items_of(self, n: int) -> int:
        """How many items order n has (the items spread as evenly as they go)."""
        return (n + 1) * self.items // self.orders - n * self.items // self.orders

    @property
    def variants(self) -> int:
        return CATALOG_PRODUCTS * VARIANTS_PER_PRODUCT


PRODUCT_COLUMNS = "id, title, slug, status, price, created_at, updated_at"
VARIANT_COLUMNS = "id, product_id, title, sku, price, is_primary, created_at, updated_at"
STOCK_COLUMNS = "product_variant_id, quantity_on_hand"
CATALOG_CREATED = datetime(2024, 1, 1, tzinfo=UTC).isoformat()


def products() -> Iterator[str]:
    """CATALOG_PRODUCTS active products (COPY text lines of PRODUCT_COLUMNS)."""
    for p in range(CATALOG_PRODUCTS):
        yield (
            f"{product_id(p)}\tBench product {p}\tbench-product-{p}\tACTIVE\t"
            f"{variant_price(2 * p)}\t{CATALOG_CREATED}\t{CATALOG_CREATED}\n"
        )


def variants() -> Iterator[str]:
    """Two variants of each product, the first primary (lines of VARIANT_COLUMNS)."""
    for v in range(CATALOG_PRODUCTS * VARIANTS_PER_PRODUCT):
        yield (
            f"{variant_id(v)}\t{product_id(v // 2)}\tSize {v % 2}\tBV-{v:06d}\t"
            f"{variant_price(v)}\t{'t' if v % 2 == 0 else 'f'}\t{CATALOG_CREATED}\t"
            f"{CATALOG_CREATED}\n"
        )


def stock() -> Iterator[str]:
    """STOCK units of every variant (lines of STOCK_COLUMNS)."""
    for v in range(CATALOG_PRODUCTS * VARIANTS_PER_PRODUCT):
        yield f"{variant_id(v)}\t{STOCK}\n"


def user_columns() -> list[str]:
    return ["id", "email", "password_hash", "email_verified", "created_at", "updated_at"]


def users(size: Size) -> Iterator[str]:
    start = datetime(2023, 1, 1, tzinfo=UTC)
    step = SPAN / max(size.users, 1)
    for n in range(size.users):
        created = (start + step * n).isoformat()
        yield f"{user_id(n)}\tbench{n}@example.com\t{PASSWORD_HASH}\tt\t{created}\t{created}\n"


def order_columns() -> list[str]:
    return [
        "id", "reference", "user_id", "status", "total_amount", "subtotal_amount", "currency",
        "idempotency_key", "placed_at", "fulfilled_at", "shipped_at", "delivered_at",
        "cancelled_at", "version", "created_at", "updated_at",
    ]  # fmt: skip


def _order_subtotal(size: Size, n: int) -> Decimal:
    return sum(
        (_item_quantity(i) * PRICES[_item_variant(size, i)] for i in _item_range(size, n)),
        Decimal("0"),
    )


def _item_range(size: Size, n: int) -> range:
    first = n * size.items // size.orders
    return range(first, first + size.items_of(n))


def _item_variant(size: Size, i: int) -> int:
    return i * 7919 % size.variants


def _item_quantity(i: int) -> int:
    return 1 + i % 3


def orders(size: Size) -> Iterator[str]:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    step = SPAN / max(size.orders, 1)
    null = "\\N"
    for n in range(size.orders):
        at = start + step * n
        created = at.isoformat()
        status = order_status(n)
        later = {
            "fulfilled": status in ("FULFILLED", "SHIPPED", "DELIVERED"),
            "shipped": status in ("SHIPPED", "DELIVERED"),
            "delivered": status == "DELIVERED",
            "cancelled": status == "CANCELLED",
        }
        stamps = [
            (at + timedelta(days=day)).isoformat() if due else null
            for day, due in zip((1, 2, 4, 1), later.values(), strict=True)
        ]
        subtotal = _order_subtotal(size, n)
        version = 1 + sum(later.values()) + (status not in ("PENDING", "CANCELLED"))
        yield (
            f"{order_id(n)}\tBO-{n:012X}\t{user_id(n % size.users)}\t{status}\t{subtotal}\t"
            f"{subtotal}\tTRY\tbench-order-{n}\t{created}\t{chr(9).join(stamps)}\t{version}\t"
            f"{created}\t{stamps[2] if later['delivered'] else created}\n"
        )


def item_columns() -> list[str]:
    return [
        "order_id", "product_id", "product_variant_id", "quantity", "unit_price",
        "title_snapshot", "variant_snapshot", "created_at", "updated_at",
    ]  # fmt: skip


def items(size: Size) -> Iterator[str]:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    step = SPAN / max(size.orders, 1)
    # The catalog part of each line, computed once per variant.
    lines = [
        f"{product_id(v // 2)}\t{variant_id(v)}\t%d\t{variant_price(v)}\tBench product {v // 2}"
        f'\t{{"sku": "BV-{v:06d}", "title": "Size {v % 2}"}}'
        for v in range(size.variants)
    ]
    for n in range(size.orders):
        created = (start + step * n).isoformat()
        head, tail = f"{order_id(n)}\t", f"\t{created}\t{created}\n"
        for i in _item_range(size, n):
            yield head + lines[_item_variant(size, i)] % _item_quantity(i) + tail
