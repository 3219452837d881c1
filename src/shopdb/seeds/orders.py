"""Orders in every status and open carts, through the repositories' public methods, so the
data obeys every rule: checkout reserves stock, settling a payment pays the order, fulfilment
commits the stock, cancelling releases it. Each seeded checkout has its own idempotency key:
an order already placed by an earlier run is found by it and left alone."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from shopdb.models import Authorization, CartLine, Checkout, OrderStatus, PaymentProvider
from shopdb.seeds.progress import Progress
from shopdb.seeds.store import SeedRepository
from shopdb.transaction import Transaction

TAX_RATE = Decimal("0.20")
# The path from PENDING to each status; PAID is reached by settling a payment.
PATHS: dict[OrderStatus, tuple[OrderStatus, ...]] = {
    OrderStatus.PENDING: (),
    OrderStatus.PAID: (OrderStatus.PAID,),
    OrderStatus.FULFILLED: (OrderStatus.PAID, OrderStatus.FULFILLED),
    OrderStatus.SHIPPED: (OrderStatus.PAID, OrderStatus.FULFILLED, OrderStatus.SHIPPED),
    OrderStatus.DELIVERED: (
        OrderStatus.PAID,
        OrderStatus.FULFILLED,
        OrderStatus.SHIPPED,
        OrderStatus.DELIVERED,
    ),
    OrderStatus.CANCELLED: (OrderStatus.CANCELLED,),
}


@dataclass(frozen=True, slots=True)
class Shoppers:
    """Who buys what: customers at even positions place the orders, those at odd positions
    keep the open carts (so a larger scale never checks out an open cart); ``variants`` are
    the ones with stock to sell."""

    profile: str
    customers: Sequence[UUID]
    variants: Sequence[UUID]
    coupon: str | None

    @property
    def buyers(self) -> Sequence[UUID]:
        """The customers who place orders."""
        return self.customers[0::2]

    @property
    def browsers(self) -> Sequence[UUID]:
        """The customers who keep an open cart."""
        return self.customers[1::2]


def seed_orders(
    tx: Transaction, store: SeedRepository, shoppers: Shoppers, per_status: int, p: Progress
) -> None:
    """``per_status`` orders in each status; the first of each status uses the coupon."""
    p.start("orders", per_status * len(PATHS))
    for s, status in enumerate(PATHS):
        for k in range(per_status):
            key = f"seed-{shoppers.profile}-{status.lower()}-{k + 1:05d}"
            if store.seeded_order(key) is None:
                buyer = shoppers.buyers[(k * len(PATHS) + s) % len(shoppers.buyers)]
                coupon = shoppers.coupon if k == 0 else None
                _place(tx, store, shoppers, buyer, key, status, coupon)
            p.advance()
    p.finish()


def seed_open_carts(tx: Transaction, shoppers: Shoppers, count: int, p: Progress) -> None:
    """An active cart with one to three lines for ``count`` customers; lines it lacks are
    added, lines it has are left alone."""
    browsers = shoppers.browsers[:count]
    p.start("carts", len(browsers))
    for i, user_id in enumerate(browsers):
        cart = tx.carts.get_or_create_active(user_id=user_id)
        present = {item.product_variant_id for item in tx.carts.get_with_items(cart.id).items}
        for variant_id, quantity in _lines(shoppers, f"cart:{i}"):
            if variant_id not in present:
                tx.carts.add_item(
                    cart.id, CartLine(product_variant_id=variant_id, quantity=quantity)
                )
        p.advance()
    p.finish()


def _place(
    tx: Transaction,
    store: SeedRepository,
    shoppers: Shoppers,
    buyer: UUID,
    key: str,
    status: OrderStatus,
    coupon: str | None,
) -> None:
    cart = tx.carts.get_or_create_active(user_id=buyer)
    lines = [
        (variant_id, quantity)
        for variant_id, quantity in _lines(shoppers, key)
        if (tx.inventory.get_for_variant(variant_id).quantity_available or 0) >= quantity
    ]
    if not lines:
        return  # sold out: no order with this key, on this run or the next
    for variant_id, quantity in lines:
        tx.carts.add_item(cart.id, CartLine(product_variant_id=variant_id, quantity=quantity))
    address = tx.addresses.list_for_user(buyer)[0].id
    checkout = Checkout(
        shipping_address_id=address,
        billing_address_id=address,
        idempotency_key=key,
        coupon_code=coupon,
        tax_rate=TAX_RATE,
    )
    order = tx.orders.place_from_cart(cart.id, checkout).order
    version = order.version
    for step in PATHS[status]:
        if step is OrderStatus.PAID:
            payment = tx.payments.initiate(order.id, PaymentProvider.MANUAL)
            tx.payments.authorize(payment.id, Authorization(transaction_id=f"txn-{key}"))
            tx.payments.settle(payment.id)
            seeded = store.seeded_order(key)
            assert seeded is not None
            version = seeded.version
        else:
            version = tx.orders.change_status(order.id, step, version).version


def _lines(shoppers: Shoppers, seed: str) -> list[tuple[UUID, int]]:
    rng = random.Random(f"{shoppers.profile}:{seed}")
    count = min(rng.randint(1, 3), len(shoppers.variants))
    return [(variant, rng.randint(1, 2)) for variant in rng.sample(shoppers.variants, count)]
