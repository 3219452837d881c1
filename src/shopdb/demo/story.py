"""The shopping story `shopdb demo` plays on the demo shop, through the public API only: a
shopper registers, searches, browses a category, fills a cart, checks out with a coupon (and
once more with the same idempotency key), pays, is shipped, reviews; then an oversell and a
stale update are refused."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from shopdb.core.errors import ShopDBError, StaleVersionError
from shopdb.demo.console import Story, money, table
from shopdb.models import (
    Address,
    Authorization,
    CartLine,
    Checkout,
    NewAddress,
    NewReview,
    NewUser,
    Order,
    OrderStatus,
    PaymentProvider,
    ProductDetails,
    ProductFilters,
    ProductPatch,
    User,
    VariantStock,
)
from shopdb.models.inventory import OutOfStockError

SHOPPER = "ada.lovelace@example.com"
DEMO_HASH = "$2b$12$" + "demo.hash.for.display.only.not.a.real.bcrypt.value0"
SEARCH = "headphones"
CATEGORY = "audio"
COUPON = "WELCOME10"
TAX_RATE = Decimal("0.20")
PROVIDER_CARD_TOKEN = "tok_demo_visa"  # noqa: S105 (the payment provider's stand-in token)


class DemoFailure(ShopDBError):
    """The story did not go as the shop's rules say it must."""


@dataclass(frozen=True, slots=True)
class Pick:
    """A variant the shopper puts in the cart, with its product."""

    product: ProductDetails
    variant: VariantStock


def play(story: Story) -> None:
    """Every step of the story, in order."""
    user, address = register(story)
    search(story)
    picks = browse(story)
    cart_id = fill_cart(story, user, picks)
    checkout = Checkout(
        shipping_address_id=address.id,
        billing_address_id=address.id,
        coupon_code=COUPON.lower(),
        idempotency_key=f"demo-checkout-{user.id}",
        tax_rate=TAX_RATE,
    )
    order = check_out(story, cart_id, checkout)
    check_out_again(story, cart_id, checkout, order)
    order = pay(story, order)
    order = fulfil(story, order, picks)
    ship(story, order)
    review(story, user, picks[0].product)
    oversell(story, user, address)
    stale_update(story, picks[0].product.product.id)


def register(story: Story) -> tuple[User, Address]:
    """A new customer with a verified email and a default address."""
    db = story.db
    with story.step("Register") as say:
        user = db.users.create(
            NewUser(email=SHOPPER, password_hash=DEMO_HASH, first_name="Ada", last_name="Lovelace")
        )
        user = db.users.verify_email(user.id)
        shopper = db.customer(user.id)  # what a shopper does goes through their own view
        address = shopper.addresses.create(
            NewAddress(
                full_name="Ada Lovelace",
                line1="12 Bagdat Caddesi",
                city="Istanbul",
                postal_code="34710",
                country="TR",
            ),
        )
        address = shopper.addresses.set_default(address.id)
        say(f"registered {user.email} ({user.first_name} {user.last_name}), id {user.id}")
        say(
            f"email verified: {user.email_verified}; default address: {address.line1}, "
            f"{address.city} {address.country}"
        )
    return user, address


def search(story: Story) -> None:
    """A full-text search, best match first."""
    with story.step(f"Search for '{SEARCH}'") as say:
        hits = story.db.products.search(SEARCH, limit=5).items
        grid = table("product", "price", "rank")
        for hit in hits:
            grid.add_row(hit.title, money(hit.price, hit.currency), f"{hit.rank:.3f}")
        say(grid if hits else f"nothing matches '{SEARCH}'")


def browse(story: Story) -> list[Pick]:
    """A category page: its breadcrumb, its products with variants and stock in three
    queries (not one per product); returns the two variants the shopper will buy."""
    db = story.db
    with story.step(f"Browse the category '{CATEGORY}'") as say:
        category = db.categories.get_by_slug(CATEGORY)
        trail = [c.name for c in db.categories.ancestors(category.id)]
        page = db.products.list_active(ProductFilters(category_id=category.id), limit=10)
        products = db.products.details_for(page.items)
        say(" > ".join(trail))
        grid = table("product", "variant", "price", "stock")
        for details in products:
            for variant in details.variants:
                grid.add_row(
                    details.product.title,
                    variant.title,
                    money(variant.price, details.product.currency),
                    str(variant.quantity_available),
                )
        say(grid)
    picks = [
        Pick(details, max(details.variants, key=lambda v: v.quantity_available or 0))
        for details in products
        if any((v.quantity_available or 0) >= 2 for v in details.variants)
    ][:2]
    if len(picks) < 2:
        raise DemoFailure(f"the category '{CATEGORY}' has fewer than two products in stock")
    return picks


def fill_cart(story: Story, user: User, picks: list[Pick]) -> UUID:
    """Two products in the cart; the first one's quantity raised to 2."""
    db = story.db
    with story.step("Cart") as say:
        carts = db.customer(user.id).carts
        cart = carts.get_or_create_active()
        for pick in picks:
            carts.add_item(cart.id, CartLine(product_variant_id=pick.variant.id, quantity=1))
        carts.set_quantity(cart.id, picks[0].variant.id, 2)
        lines = carts.get_with_items(cart.id).items
        totals = carts.totals(cart.id)
        names = {p.variant.id: f"{p.product.product.title} ({p.variant.title})" for p in picks}
        grid = table("item", "qty", "price", "amount")
        for line in lines:
            grid.add_row(
                names[line.product_variant_id],
                str(line.quantity),
                money(line.unit_price),
                money(line.line_total),
            )
        say(grid)
        say(f"{totals.item_count} items, subtotal {money(totals.subtotal)}")
    return cart.id


def check_out(story: Story, cart_id: UUID, checkout: Checkout) -> Order:
    """The cart becomes an order: stock reserved, the coupon's discount, tax."""
    db = story.db
    with story.step(f"Checkout with the coupon {COUPON}") as say:
        user_id = db.carts.get(cart_id).user_id  # the back office's read: whose cart it is
        assert user_id is not None
        shopper = db.customer(user_id)
        subtotal = shopper.carts.totals(cart_id).subtotal
        discount = db.coupons.validate(COUPON, user_id, subtotal)
        say(f"coupon {COUPON} is valid for this cart: {money(discount)} off")
        placed = shopper.orders.place_from_cart(cart_id, checkout)
        order = placed.order
        say(_order_table(order))
        say(f"{len(placed.items)} items reserved; idempotency key {checkout.idempotency_key}")
    return order


def check_out_again(story: Story, cart_id: UUID, checkout: Checkout, order: Order) -> None:
    """The client retries the checkout (its answer was lost): the same key, the same order."""
    db = story.db
    with story.step("Checkout again with the same idempotency key") as say:
        uses = db.coupons.get_by_code(COUPON).usage_count
        assert order.user_id is not None
        again = db.customer(order.user_id).orders.place_from_cart(cart_id, checkout).order
        uses_after = db.coupons.get_by_code(COUPON).usage_count
        if again.id != order.id or uses_after != uses:
            raise DemoFailure("a repeated checkout with the same key placed another order")
        say(f"same order: {again.reference} ({again.id}), total {money(again.total_amount)}")
        say(f"coupon uses: {uses} before, {uses_after} after (counted once)")


def pay(story: Story, order: Order) -> Order:
    """A card payment: initiated for the order's total, authorized, settled: the order is PAID."""
    db = story.db
    with story.step("Payment") as say:
        assert order.user_id is not None
        shopper = db.customer(order.user_id)
        payment = shopper.payments.initiate(order.id, PaymentProvider.IYZICO)
        db.payments.authorize(  # the provider's answers: the payment service, not the shopper
            payment.id,
            Authorization(
                transaction_id=f"iyz-{order.reference}",
                card_token=PROVIDER_CARD_TOKEN,
                last_four_digits="4242",
            ),
        )
        settled = db.payments.settle(payment.id)
        paid = shopper.orders.get(order.id).order
        say(
            f"payment {settled.provider} {money(settled.amount, settled.currency)}: "
            f"{settled.status}; card ending 4242"
        )
        say(f"order {paid.reference}: {order.status} -> {paid.status}")
    return paid


def fulfil(story: Story, order: Order, picks: list[Pick]) -> Order:
    """The warehouse packs the order: the reserved units become a sale."""
    db = story.db
    with story.step("Fulfilment") as say:
        done = db.orders.change_status(order.id, OrderStatus.FULFILLED, order.version)
        say(f"order {done.reference}: {order.status} -> {done.status}")
        for pick in picks:
            stock = db.inventory.get_for_variant(pick.variant.id)
            say(
                f"{pick.variant.sku}: on hand {pick.variant.quantity_on_hand} -> "
                f"{stock.quantity_on_hand}, reserved {stock.quantity_reserved}"
            )
    return done


def ship(story: Story, order: Order) -> None:
    """Shipped, then delivered: each change of status checks the order's version."""
    db = story.db
    with story.step("Shipping") as say:
        shipped = db.orders.change_status(order.id, OrderStatus.SHIPPED, order.version)
        delivered = db.orders.change_status(order.id, OrderStatus.DELIVERED, shipped.version)
        say(
            f"order {delivered.reference}: {order.status} -> {shipped.status} -> "
            f"{delivered.status} (delivered at {delivered.delivered_at:%Y-%m-%d %H:%M} UTC)"
        )


def review(story: Story, user: User, details: ProductDetails) -> None:
    """A review of what was delivered: a verified purchase, shown once approved."""
    db = story.db
    product = details.product
    with story.step("Review") as say:
        written = db.customer(user.id).reviews.submit(
            product.id,
            NewReview(rating=5, title="Sounds wonderful", content="Arrived in two days."),
        )
        db.reviews.approve(written.id)
        summary = db.reviews.rating_summary(product.id)
        say(
            f"{user.first_name} gave {product.title} {written.rating} stars "
            f"(verified purchase: {written.is_verified_purchase})"
        )
        say(f"{product.title}: approved reviews {summary.count}, average {summary.average}")


def oversell(story: Story, user: User, address: Address) -> None:
    """More units than are left: the checkout is refused and the stock does not move."""
    db = story.db
    with story.step("A refused oversell") as say:
        low = [row for row in db.inventory.low_stock() if row.quantity_available > 0]
        if not low:
            raise DemoFailure("the demo shop has no variant running low on stock")
        stock = min(low, key=lambda row: row.quantity_available)
        variant = db.products.get_variant(stock.product_variant_id)
        wanted = stock.quantity_available + 1
        shopper = db.customer(user.id)
        cart = shopper.carts.get_or_create_active()
        shopper.carts.add_item(cart.id, CartLine(product_variant_id=variant.id, quantity=wanted))
        checkout = Checkout(
            shipping_address_id=address.id,
            billing_address_id=address.id,
            idempotency_key=f"demo-oversell-{user.id}",
        )
        say(f"{variant.sku}: {stock.quantity_available} available, {wanted} in the cart")
        try:
            shopper.orders.place_from_cart(cart.id, checkout)
        except OutOfStockError as refused:
            after = db.inventory.get_for_variant(variant.id)
            say(f"refused: OutOfStockError: {refused}")
            say(
                f"stock unchanged: {after.quantity_available} available, "
                f"{after.quantity_reserved} reserved"
            )
        else:
            raise DemoFailure(f"{wanted} units of {variant.sku} were sold: only {wanted - 1} left")


def stale_update(story: Story, product_id: UUID) -> None:
    """Two staff members edit the same product from the same version: the second is refused."""
    db = story.db
    with story.step("A refused stale update") as say:
        first = db.products.get(product_id)
        second = db.products.get(product_id)
        saved = db.products.update(
            product_id,
            ProductPatch(summary="Now with a travel case."),
            expected_version=first.version,
        )
        say(f"editor 1 saved version {first.version} -> {saved.version}")
        try:
            db.products.update(
                product_id,
                ProductPatch(summary="Back in stock soon."),
                expected_version=second.version,
            )
        except StaleVersionError as refused:
            say(
                f"editor 2, still at version {second.version}: refused: StaleVersionError: "
                f"{refused}"
            )
        else:
            raise DemoFailure("an update from a stale version overwrote a newer one")


def _order_table(order: Order) -> object:
    grid = table("order " + order.reference, "amount")
    for label, amount in (
        ("subtotal", order.subtotal_amount),
        (f"discount ({COUPON})", -order.discount_amount),
        (f"tax ({TAX_RATE:.0%})", order.tax_amount),
        ("total", order.total_amount),
    ):
        grid.add_row(label, money(amount, order.currency))
    grid.add_row("status", str(order.status))
    return grid
