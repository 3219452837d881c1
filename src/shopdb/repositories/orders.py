"""OrderRepository: checkout from a cart, reads with items, the state machine, figures."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING
from uuid import UUID

from shopdb.core.errors import (
    CartNotActive,
    CheckoutRefused,
    IdempotencyKeyReused,
    IllegalStatusTransition,
    InvalidInput,
    NotFoundError,
    StaleVersionError,
)
from shopdb.core.paging import NEWEST_FIRST, CursorPage
from shopdb.core.repository import Repository, validated
from shopdb.models.orders import (
    TRANSITIONS,
    CartLock,
    Checkout,
    CheckoutLine,
    DayFigures,
    Order,
    OrderItem,
    OrderKey,
    OrderStatus,
    OrderWithItems,
    StatusFigures,
)

if TYPE_CHECKING:
    from shopdb.transaction import Transaction

CENT = Decimal("0.01")


class OrderRepository(Repository):
    """Orders. Placing one is a single transaction that takes its locks in one fixed order
    (cart row, inventory rows by variant id, coupon row): docs/transactions.md says why it
    cannot deadlock, oversell or charge twice."""

    namespace = "orders"
    entity = "order"
    queries = {
        "find_by_idempotency_key": OrderKey,
        "lock_cart": CartLock,
        "checkout_lines": CheckoutLine,
        "create": Order,
        "record_coupon_usage": None,
        "get": Order,
        "get_by_reference": Order,
        "list_items": OrderItem,
        "list_items_of_orders": OrderItem,
        "list_for_user": Order,
        "list_for_user_by_status": Order,
        "list_by_status": Order,
        "lock_for_status_change": Order,
        "change_status": Order,
        "statistics_by_status": StatusFigures,
        "statistics_by_day": DayFigures,
    }
    constraint_messages = {
        "orders_reference_key": "an order with this reference exists",
        "orders_cart_id_key": "this cart was already checked out into an order",
        "orders_total_amount_sum_check": "total must equal subtotal + tax - discount",
    }
    constraint_errors = {"orders_idempotency_key_key": IdempotencyKeyReused}

    def place_from_cart(
        self,
        cart_id: UUID,
        checkout: Checkout | None = None,
        *,
        shipping_address_id: UUID | None = None,
        billing_address_id: UUID | None = None,
        coupon_code: str | None = None,
        idempotency_key: str | UUID | None = None,
        tax_rate: Decimal | None = None,
    ) -> OrderWithItems:
        """Turn an active cart into a PENDING order in one transaction, retried as a whole on
        serialization failure or deadlock. The same idempotency key gives back the same order
        (also when two calls race); with another cart it raises IdempotencyKeyReused.
        Locks, in this order: the cart row, the inventory rows in variant id order
        (inventory.reserve_many), the new order, the coupon row (its usage counter).

        The checkout is a Checkout, or its fields as keyword arguments
        (``shipping_address_id=, billing_address_id=, idempotency_key=``, optionally
        ``coupon_code=`` and ``tax_rate=``), not both; InvalidInput when they do not make
        a valid Checkout (nothing is written)."""
        fields = {
            "shipping_address_id": shipping_address_id,
            "billing_address_id": billing_address_id,
            "coupon_code": coupon_code,
            "idempotency_key": idempotency_key,
            "tax_rate": tax_rate,
        }
        given = {name: value for name, value in fields.items() if value is not None}
        if checkout is not None and given:
            raise InvalidInput(
                f"place_from_cart takes a Checkout or its fields, not both ({', '.join(given)})"
            )
        placing = checkout if checkout is not None else validated(Checkout, given)
        return self._run_atomic(lambda tx: self._on(tx)._place(tx, cart_id, placing))

    def get(self, order_id: UUID) -> OrderWithItems:
        """The order and its items (two queries); NotFoundError when there is none."""
        order = self._get("get", Order, id=order_id)
        return OrderWithItems(
            order=order, items=self._list("list_items", OrderItem, order_id=order_id)
        )

    def get_by_reference(self, reference: str) -> Order:
        """The order with this reference (any letter case); NotFoundError otherwise."""
        return self._get("get_by_reference", Order, reference=reference)

    def items_of(self, order_ids: list[UUID]) -> dict[UUID, list[OrderItem]]:
        """The items of several orders in one query, by order id."""
        found: dict[UUID, list[OrderItem]] = {order_id: [] for order_id in order_ids}
        for item in self._list("list_items_of_orders", OrderItem, order_ids=order_ids):
            found[item.order_id].append(item)
        return found

    def list_for_user(
        self,
        user_id: UUID,
        *,
        status: OrderStatus | None = None,
        limit: int = 20,
        cursor: str | None = None,
    ) -> CursorPage[Order]:
        """A user's orders, newest first, optionally in one status (keyset pages)."""
        if status is None:
            return self._page(
                "list_for_user", Order, NEWEST_FIRST, limit=limit, cursor=cursor, user_id=user_id
            )
        return self._page(
            "list_for_user_by_status",
            Order,
            NEWEST_FIRST,
            limit=limit,
            cursor=cursor,
            user_id=user_id,
            status=status,
        )

    def list_by_status(
        self, status: OrderStatus, *, limit: int = 50, cursor: str | None = None
    ) -> CursorPage[Order]:
        """Every order in one status, newest first, for the back office (keyset pages)."""
        return self._page(
            "list_by_status", Order, NEWEST_FIRST, limit=limit, cursor=cursor, status=status
        )

    def change_status(
        self, order_id: UUID, new_status: OrderStatus, expected_version: int
    ) -> Order:
        """Move the order along the state machine, stamping the matching time; any other
        change raises IllegalStatusTransition, a stale version StaleVersionError. Fulfilling
        turns the reservation into a sale; cancelling (only before fulfilment) releases it;
        both in the same transaction. Locks: the order row, then inventory rows by variant id."""
        if new_status not in OrderStatus.__members__.values():
            raise InvalidInput(f"a new status is one of {', '.join(OrderStatus)}")
        status = OrderStatus(new_status)
        return self._run_atomic(
            lambda tx: self._on(tx)._move(tx, order_id, status, expected_version)
        )

    def mark_paid(self, order_id: UUID) -> Order:
        """PENDING -> PAID at whatever version the order is at, through the same state machine
        as change_status: the step of payments.settle, whose transaction (holding the payment
        row) it joins. IllegalStatusTransition unless the order is PENDING; NotFoundError.
        Locks the order row."""
        return self._run_atomic(lambda tx: self._on(tx)._move(tx, order_id, OrderStatus.PAID, None))

    def statistics_by_status(self, start: datetime, end: datetime) -> list[StatusFigures]:
        """Count and revenue per status of the orders placed in [start, end), one query."""
        return self._list("statistics_by_status", StatusFigures, from_time=start, to_time=end)

    def statistics_by_day(self, start: datetime, end: datetime) -> list[DayFigures]:
        """Count and revenue per UTC day of the orders placed in [start, end), one query."""
        return self._list("statistics_by_day", DayFigures, from_time=start, to_time=end)

    def _place(self, tx: Transaction, cart_id: UUID, checkout: Checkout) -> OrderWithItems:
        cart = self._find("lock_cart", CartLock, cart_id=cart_id)
        if cart is None:
            raise NotFoundError("cart", cart_id)
        # A statement of its own, after the lock: a repeated call that waited for the lock
        # must see the order the first call committed (a join in lock_cart would not).
        placed = self._find(
            "find_by_idempotency_key", OrderKey, idempotency_key=checkout.idempotency_key
        )
        if placed is not None:
            if placed.cart_id != cart_id:
                raise IdempotencyKeyReused(
                    "this idempotency key already placed an order from another cart"
                )
            return self.get(placed.id)
        lines = self._ready_lines(cart)
        tx.inventory.reserve_many([(line.product_variant_id, line.quantity) for line in lines])
        subtotal = sum((line.unit_price * line.quantity for line in lines), Decimal("0"))
        discount = Decimal("0")
        if checkout.coupon_code is not None:
            discount = tx.coupons.validate(checkout.coupon_code, cart.user_id, subtotal)
        tax = ((subtotal - discount) * checkout.tax_rate).quantize(CENT, ROUND_HALF_UP)
        order = self._find(
            "create",
            Order,
            user_id=cart.user_id,
            cart_id=cart_id,
            idempotency_key=checkout.idempotency_key,
            subtotal_amount=subtotal,
            discount_amount=discount,
            tax_amount=tax,
            currency=lines[0].currency,
            shipping_address_id=checkout.shipping_address_id,
            billing_address_id=checkout.billing_address_id,
        )
        if order is None:
            raise CheckoutRefused("an address of the checkout is not a live address of its user")
        if checkout.coupon_code is not None:
            self._record_coupon(checkout.coupon_code, cart.user_id, order.id, discount)
        items = self._list("list_items", OrderItem, order_id=order.id)
        return OrderWithItems(order=order, items=items)

    def _ready_lines(self, cart: CartLock) -> list[CheckoutLine]:
        """The cart's lines, once the cart is shown fit for checkout."""
        if cart.status != "ACTIVE":
            raise CartNotActive(f"cart {cart.cart_id} is {cart.status}: it cannot be checked out")
        if cart.user_id is None:
            raise CheckoutRefused("a guest cart must be merged into a user's cart before checkout")
        lines = self._list("checkout_lines", CheckoutLine, cart_id=cart.cart_id)
        if not lines:
            raise CheckoutRefused(f"cart {cart.cart_id} is empty")
        if len({line.currency for line in lines}) > 1:
            raise CheckoutRefused("the cart holds products priced in different currencies")
        return lines

    def _record_coupon(
        self, code: str, user_id: UUID | None, order_id: UUID, discount: Decimal
    ) -> None:
        params = {
            "code": code,
            "user_id": user_id,
            "order_id": order_id,
            "discount_amount": discount,
        }
        if self._count("record_coupon_usage", **params) != 1:
            raise InvalidInput(f"coupon {code!r} vanished during checkout")

    def _move(
        self,
        tx: Transaction,
        order_id: UUID,
        new_status: OrderStatus,
        expected_version: int | None,
    ) -> Order:
        """The one implementation of a status change: the transition rules (TRANSITIONS), the
        timestamps and the version bump (the change_status query), the stock that moves."""
        current = self._get("lock_for_status_change", Order, id=order_id)
        if expected_version is not None and current.version != expected_version:
            raise StaleVersionError(self.entity, order_id, expected_version)
        if new_status not in TRANSITIONS[current.status]:
            raise IllegalStatusTransition(
                f"order {order_id}: {current.status} -> {new_status} "
                "is not a step of the order state machine"
            )
        changed = self._update_versioned(
            "change_status",
            Order,
            expected_version=current.version,
            id=order_id,
            status=new_status,
        )
        if new_status in (OrderStatus.FULFILLED, OrderStatus.CANCELLED):
            self._move_stock(tx, order_id, new_status)
        return changed

    def _move_stock(self, tx: Transaction, order_id: UUID, new_status: OrderStatus) -> None:
        """Fulfilment sells the reserved units; a cancel (PENDING or PAID: nothing was sold
        yet, so there is nothing to restock) gives them back. In variant id order."""
        items = sorted(self._list("list_items", OrderItem, order_id=order_id), key=_variant_order)
        for item in items:
            if item.product_variant_id is None:  # the variant was deleted since
                continue
            if new_status is OrderStatus.FULFILLED:
                tx.inventory.commit(item.product_variant_id, item.quantity)
            else:
                tx.inventory.release(item.product_variant_id, item.quantity)


def _variant_order(item: OrderItem) -> str:
    return str(item.product_variant_id)
