"""A customer's whole visit through the public API only (no internal import, no SQL): register,
browse, fill a cart, check out with a coupon, pay, have it fulfilled, shipped and delivered,
then review what was bought as a verified purchase."""

from __future__ import annotations

from decimal import Decimal

from shopdb import Database
from shopdb.models import (
    Authorization,
    CartLine,
    CartStatus,
    Checkout,
    CouponType,
    NewAddress,
    NewCategory,
    NewCoupon,
    NewProduct,
    NewReview,
    NewUser,
    NewVariant,
    OrderStatus,
    PaymentProvider,
    PaymentStatus,
    ProductDetails,
    ProductFilters,
    ProductStatus,
)

LAMP, SHADE = Decimal("249.90"), Decimal("39.50")


def _stock(db: Database, details: ProductDetails) -> dict[str, tuple[int | None, int | None]]:
    """sku -> (on hand, reserved), as the catalog shows it now."""
    fresh = db.products.get_with_details(details.product.id)
    return {v.sku: (v.quantity_on_hand, v.quantity_reserved) for v in fresh.variants}


def _open_shop(db: Database) -> ProductDetails:
    """The shop's side: a category tree, a lamp in two variants, a coupon."""
    home = db.categories.create(NewCategory(name="Home", slug="home"))
    lighting = db.categories.create(
        NewCategory(name="Lighting", slug="lighting", parent_id=home.id)
    )
    lamp = db.products.create_with_variants(
        NewProduct(
            title="Brass Desk Lamp",
            slug="brass-desk-lamp",
            status=ProductStatus.ACTIVE,
            price=LAMP,
            category_ids=[lighting.id],
            variants=[
                NewVariant(title="Brass", sku="LAMP-BRASS", price=LAMP, is_primary=True,
                           quantity_on_hand=10),
                NewVariant(title="Spare shade", sku="LAMP-SHADE", price=SHADE,
                           quantity_on_hand=5),
            ],
        )
    )  # fmt: skip
    db.coupons.create(NewCoupon(code="WELCOME10", type=CouponType.PERCENTAGE, value=Decimal(10)))
    return lamp


def test_a_customer_registers_browses_buys_pays_receives_and_reviews(db: Database) -> None:
    lamp = _open_shop(db)
    brass, shade = (v.id for v in sorted(lamp.variants, key=lambda v: v.sku))

    # register
    user = db.users.create(NewUser(email="ada@example.com", password_hash="$2b$12$" + "h" * 53))
    db.users.verify_email(user.id)
    address = db.addresses.create(
        user.id, NewAddress(full_name="Ada Lovelace", line1="1 Main St", city="Istanbul",
                            country="TR")
    )  # fmt: skip
    assert db.addresses.set_default(user.id, address.id).is_default

    # browse: the tree, a category with what is below it, a listing, a search, the details
    assert [c.slug for c in db.categories.tree()] == ["home", "lighting"]
    home = db.categories.get_by_slug("home")
    assert [p.id for p in db.categories.products_in(home.id).items] == [lamp.product.id]
    listed = db.products.list_active(ProductFilters(category_id=home.id))
    assert [p.id for p in listed.items] == [lamp.product.id]
    assert [hit.id for hit in db.products.search("brass lam").items] == [lamp.product.id]
    assert db.products.get_with_details(lamp.product.id).primary_variant is not None

    # cart: the same variant twice adds up; a quantity set; totals in exact decimals
    cart = db.carts.get_or_create_active(user_id=user.id)
    db.carts.add_item(cart.id, CartLine(product_variant_id=brass, quantity=1))
    db.carts.add_item(cart.id, CartLine(product_variant_id=brass, quantity=1))
    db.carts.add_item(cart.id, CartLine(product_variant_id=shade, quantity=3))
    db.carts.set_quantity(cart.id, shade, 1)
    lines = {i.product_variant_id: i.quantity for i in db.carts.get_with_items(cart.id).items}
    assert lines == {brass: 2, shade: 1}
    assert db.carts.totals(cart.id).subtotal == 2 * LAMP + SHADE

    # checkout with a coupon and an idempotency key: a retried call gives the same order
    checkout = Checkout(
        shipping_address_id=address.id,
        billing_address_id=address.id,
        coupon_code="welcome10",
        idempotency_key="checkout-ada-0001",
        tax_rate=Decimal("0.18"),
    )
    placed = db.orders.place_from_cart(cart.id, checkout)
    assert db.orders.place_from_cart(cart.id, checkout) == placed
    order = placed.order
    subtotal = 2 * LAMP + SHADE
    discount = (subtotal / 10).quantize(Decimal("0.01"))
    tax = ((subtotal - discount) * Decimal("0.18")).quantize(Decimal("0.01"))
    assert (order.subtotal_amount, order.discount_amount, order.tax_amount) == (
        subtotal,
        discount,
        tax,
    )
    assert order.total_amount == subtotal - discount + tax
    assert order.status is OrderStatus.PENDING
    assert db.carts.get(cart.id).status is CartStatus.CHECKED_OUT
    assert db.coupons.get_by_code("welcome10").usage_count == 1
    assert _stock(db, lamp) == {"LAMP-BRASS": (10, 2), "LAMP-SHADE": (5, 1)}

    # pay: initiated for the order's total, authorized, settled -> the order is PAID
    payment = db.payments.initiate(order.id, PaymentProvider.IYZICO)
    assert (payment.amount, payment.currency) == (order.total_amount, order.currency)
    db.payments.authorize(
        payment.id, Authorization(transaction_id="iyz-1", card_token="tok_ada",
                                  last_four_digits="4242")
    )  # fmt: skip
    assert db.payments.settle(payment.id).status is PaymentStatus.SETTLED
    paid = db.orders.get(order.id).order
    assert paid.status is OrderStatus.PAID

    # fulfil (the reservation becomes a sale), ship, deliver
    current = paid
    for step in (OrderStatus.FULFILLED, OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        current = db.orders.change_status(order.id, step, current.version)
    assert current.status is OrderStatus.DELIVERED
    assert None not in (current.fulfilled_at, current.shipped_at, current.delivered_at)
    assert _stock(db, lamp) == {"LAMP-BRASS": (8, 0), "LAMP-SHADE": (4, 0)}
    history = db.orders.list_for_user(user.id)
    assert [(o.id, o.status) for o in history.items] == [(order.id, OrderStatus.DELIVERED)]
    assert db.orders.get_by_reference(order.reference).id == order.id

    # review: a verified purchase, shown once approved
    review = db.reviews.submit(user.id, lamp.product.id, NewReview(rating=5, title="Lovely"))
    assert (review.is_verified_purchase, review.order_id) == (True, order.id)
    db.reviews.approve(review.id)
    assert [r.id for r in db.reviews.list_approved(lamp.product.id).items] == [review.id]
    summary = db.reviews.rating_summary(lamp.product.id)
    assert (summary.count, summary.average, summary.by_star[5]) == (1, Decimal("5.00"), 1)
