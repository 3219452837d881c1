"""The demo profile's shop: hand-written products to browse and search, the coupon of the
demo story and one variant with too little stock for it to oversell."""

from __future__ import annotations

from decimal import Decimal

from shopdb.models import CouponType, NewCoupon
from shopdb.seeds.catalog import CategorySpec, ProductSpec, VariantSpec
from shopdb.seeds.customers import CustomerSpec
from shopdb.seeds.promotions import CollectionSpec

DEMO_COUPON = "WELCOME10"
"""10% off any order: the coupon the demo story checks out with."""
LOW_STOCK_SKU = "LUMEN-LIGHT-SET"
"""The variant with 2 units on hand (threshold 5): asking for more is a refused oversell."""
LOW_STOCK_ON_HAND = 2

CATEGORIES = (
    CategorySpec("Electronics", "electronics", None, "Phones, laptops and sound", 0),
    CategorySpec("Phones", "phones", "electronics", "Smartphones", 0),
    CategorySpec("Laptops", "laptops", "electronics", "Ultrabooks and workstations", 1),
    CategorySpec("Audio", "audio", "electronics", "Headphones and earbuds", 2),
    CategorySpec("Home & Kitchen", "home-kitchen", None, "For the kitchen and the table", 1),
    CategorySpec("Coffee & Tea", "coffee-tea", "home-kitchen", "Beans, brewers, kettles", 0),
    CategorySpec("Cookware", "cookware", "home-kitchen", "Pans and pots that last", 1),
    CategorySpec("Outdoors", "outdoors", None, "Camping and cycling", 2),
    CategorySpec("Camping", "camping", "outdoors", "Tents and sleeping bags", 0),
    CategorySpec("Cycling", "cycling", "outdoors", "Lights, helmets and more", 1),
)


def _v(title: str, sku: str, price: str, on_hand: int, **attributes: str) -> VariantSpec:
    return VariantSpec(title, sku, Decimal(price), on_hand, 5, dict(attributes))


PRODUCTS = (
    ProductSpec(
        "Aurora X2 Smartphone", "aurora-x2-smartphone", "phones",
        "A 6.1-inch OLED phone with a two-day battery.",
        "The Aurora X2 pairs a bright OLED screen with a battery that lasts two days.",
        (
            _v("128 GB Midnight", "AURORA-X2-128-MID", "24999.00", 40, storage="128 GB",
               colour="Midnight"),
            _v("256 GB Midnight", "AURORA-X2-256-MID", "27999.00", 25, storage="256 GB",
               colour="Midnight"),
            _v("256 GB Glacier", "AURORA-X2-256-GLA", "27999.00", 25, storage="256 GB",
               colour="Glacier"),
        ),
        ("phone", "smartphone", "oled"),
    ),
    ProductSpec(
        "Nimbus 14 Ultrabook", "nimbus-14-ultrabook", "laptops",
        "A 1.1 kg laptop with a 14-inch 3K screen.",
        "All-day battery, a quiet fan and a keyboard you will want to type on.",
        (
            _v("16 GB / 512 GB", "NIMBUS-14-16-512", "42999.00", 30, memory="16 GB",
               storage="512 GB"),
            _v("32 GB / 1 TB", "NIMBUS-14-32-1T", "52999.00", 20, memory="32 GB", storage="1 TB"),
        ),
        ("laptop", "ultrabook"),
    ),
    ProductSpec(
        "Echo Buds Pro", "echo-buds-pro", "audio",
        "Noise-cancelling earbuds with a wireless case.",
        "Active noise cancelling, eight hours per charge and a case that charges wirelessly.",
        (
            _v("Black", "ECHO-BUDS-PRO-BLK", "3499.00", 60, colour="Black"),
            _v("White", "ECHO-BUDS-PRO-WHT", "3499.00", 60, colour="White"),
        ),
        ("earbuds", "headphones", "wireless"),
    ),
    ProductSpec(
        "Studio One Headphones", "studio-one-headphones", "audio",
        "Over-ear headphones tuned for long sessions.",
        "Memory-foam cushions, a detachable cable and a flat, honest sound.",
        (_v("Graphite", "STUDIO-ONE-GRA", "7999.00", 35, colour="Graphite"),),
        ("headphones", "studio"),
    ),
    ProductSpec(
        "Pour-Over Coffee Kit", "pour-over-coffee-kit", "coffee-tea",
        "A glass dripper, a gooseneck kettle and 100 filters.",
        "Everything for a clean, bright cup: dripper, kettle, filters and a scoop.",
        (_v("Kit", "POUR-OVER-KIT", "1299.00", 50),),
        ("coffee", "pour-over", "kettle"),
    ),
    ProductSpec(
        "Single-Origin Ethiopian Beans 500 g", "ethiopian-beans-500g", "coffee-tea",
        "Floral, light-roasted Yirgacheffe beans.",
        "Washed Yirgacheffe, roasted light for notes of jasmine and bergamot.",
        (
            _v("Whole bean", "ETHIOPIA-500-WB", "449.90", 120, grind="Whole bean"),
            _v("Ground", "ETHIOPIA-500-GR", "449.90", 80, grind="Filter"),
        ),
        ("coffee", "beans", "ethiopia"),
    ),
    ProductSpec(
        "Cast Iron Skillet 28 cm", "cast-iron-skillet-28", "cookware",
        "A pre-seasoned skillet for a lifetime of cooking.",
        "Pre-seasoned cast iron, oven-safe, and better every year you use it.",
        (_v("28 cm", "SKILLET-CI-28", "1899.00", 45, diameter="28 cm"),),
        ("skillet", "cast iron", "pan"),
    ),
    ProductSpec(
        "Trailhead 2-Person Tent", "trailhead-2-person-tent", "camping",
        "A 2.1 kg backpacking tent that pitches in five minutes.",
        "Two doors, two vestibules and a fly that shrugs off a storm.",
        (
            _v("Forest Green", "TRAILHEAD-2P-GRN", "5499.00", 30, colour="Forest Green"),
            _v("Desert Sand", "TRAILHEAD-2P-SND", "5499.00", 30, colour="Desert Sand"),
        ),
        ("tent", "camping", "backpacking"),
    ),
    ProductSpec(
        "Summit Down Sleeping Bag", "summit-down-sleeping-bag", "camping",
        "Comfortable to -5 C, packs to the size of a melon.",
        "Responsibly sourced 700-fill down in a bag that weighs under a kilo.",
        (
            _v("Regular", "SUMMIT-BAG-REG", "3899.00", 25, length="Regular"),
            _v("Long", "SUMMIT-BAG-LONG", "4099.00", 15, length="Long"),
        ),
        ("sleeping bag", "down", "camping"),
    ),
    ProductSpec(
        "Lumen Bike Light Set", "lumen-bike-light-set", "cycling",
        "A 600-lumen front light and a bright rear light.",
        "USB-C rechargeable, IPX6 waterproof, four modes front and back. Nearly sold out.",
        (_v("Front and rear", LOW_STOCK_SKU, "899.00", LOW_STOCK_ON_HAND),),
        ("bike light", "cycling", "usb-c"),
    ),
    ProductSpec(
        "Velo Commuter Helmet", "velo-commuter-helmet", "cycling",
        "A light helmet with a built-in rear light.",
        "MIPS protection, a magnetic buckle and a rear light that lasts a month of commutes.",
        (
            _v("S/M", "VELO-HELMET-SM", "1499.00", 40, size="S/M"),
            _v("L/XL", "VELO-HELMET-LXL", "1499.00", 40, size="L/XL"),
        ),
        ("helmet", "cycling", "commuter"),
    ),
)  # fmt: skip

COUPONS = (
    NewCoupon(
        code=DEMO_COUPON,
        description="10% off your first order",
        type=CouponType.PERCENTAGE,
        value=Decimal("10"),
    ),
    NewCoupon(
        code="FREESHIP",
        description="Free shipping on orders over 500 TRY",
        type=CouponType.FREE_SHIPPING,
        value=Decimal("0"),
        min_order_amount=Decimal("500"),
    ),
    NewCoupon(
        code="SAVE250",
        description="250 TRY off orders over 2500 TRY",
        type=CouponType.FIXED_AMOUNT,
        value=Decimal("250"),
        min_order_amount=Decimal("2500"),
    ),
)

COLLECTIONS = (
    CollectionSpec(
        "New arrivals",
        "new-arrivals",
        "Just in this month",
        ("aurora-x2-smartphone", "echo-buds-pro", "trailhead-2-person-tent"),
    ),
    CollectionSpec(
        "Staff picks",
        "staff-picks",
        "What we use ourselves",
        ("nimbus-14-ultrabook", "pour-over-coffee-kit", "cast-iron-skillet-28"),
    ),
)

CUSTOMERS = (
    CustomerSpec("maya.demir@example.com", "Maya", "Demir", "+905321112233",
                 "Bagdat Caddesi 120", "Istanbul", "34728", "TR"),
    CustomerSpec("jonas.berg@example.com", "Jonas", "Berg", "+4915112345678",
                 "Torstrasse 45", "Berlin", "10119", "DE"),
    CustomerSpec("aiko.tanaka@example.com", "Aiko", "Tanaka", "+819012345678",
                 "2-1 Marunouchi", "Tokyo", "100-0005", "JP"),
    CustomerSpec("lucas.martin@example.com", "Lucas", "Martin", "+33612345678",
                 "12 Rue de la Republique", "Lyon", "69002", "FR"),
)  # fmt: skip
