"""The generated data of dev and qa: categories, products and customers made up from word
lists. Row i is the same on every run (its natural keys too), so a run with a larger scale
adds rows and a repeated run adds none."""

from __future__ import annotations

import random
import re
from decimal import Decimal

from shopdb.seeds.catalog import CategorySpec, ProductSpec, VariantSpec
from shopdb.seeds.customers import CustomerSpec

# Each root, its children, and the nouns of the children's products.
DEPARTMENTS: tuple[tuple[str, tuple[tuple[str, tuple[str, ...]], ...]], ...] = (
    ("Clothing", (
        ("Shirts", ("Shirt", "Tee", "Polo")),
        ("Trousers", ("Chinos", "Jeans", "Joggers")),
        ("Jackets", ("Parka", "Bomber", "Blazer")),
        ("Shoes", ("Sneakers", "Loafers", "Boots")),
        ("Accessories", ("Scarf", "Belt", "Cap")),
    )),
    ("Home", (
        ("Kitchen", ("Mug", "Knife Set", "Kettle")),
        ("Bedding", ("Duvet", "Pillow", "Throw")),
        ("Lighting", ("Desk Lamp", "Pendant", "Lantern")),
        ("Decor", ("Vase", "Frame", "Planter")),
        ("Storage", ("Basket", "Shelf", "Box")),
    )),
    ("Electronics", (
        ("Audio", ("Headphones", "Speaker", "Earbuds")),
        ("Computing", ("Keyboard", "Mouse", "Monitor Stand")),
        ("Photography", ("Tripod", "Camera Bag", "Lens Cap")),
        ("Wearables", ("Watch Strap", "Fitness Band", "Smart Ring")),
        ("Power", ("Charger", "Power Bank", "Cable")),
    )),
    ("Sports", (
        ("Running", ("Running Vest", "Water Bottle", "Headband")),
        ("Cycling", ("Bike Light", "Saddle Bag", "Gloves")),
        ("Yoga", ("Yoga Mat", "Block", "Strap")),
        ("Camping", ("Tent", "Sleeping Bag", "Stove")),
        ("Swimming", ("Goggles", "Towel", "Swim Cap")),
    )),
    ("Beauty", (
        ("Skincare", ("Cleanser", "Serum", "Moisturiser")),
        ("Hair", ("Shampoo", "Comb", "Hair Oil")),
        ("Fragrance", ("Eau de Parfum", "Candle", "Diffuser")),
        ("Bath", ("Soap", "Bath Salts", "Sponge")),
        ("Tools", ("Mirror", "Brush Set", "Tweezers")),
    )),
    ("Toys", (
        ("Puzzles", ("Jigsaw", "Puzzle Cube", "Maze")),
        ("Building", ("Blocks", "Marble Run", "Train Set")),
        ("Games", ("Board Game", "Card Game", "Dice Set")),
        ("Outdoor", ("Kite", "Frisbee", "Ball")),
        ("Plush", ("Bear", "Bunny", "Fox")),
    )),
)  # fmt: skip
ADJECTIVES = (
    "Classic", "Everyday", "Premium", "Urban", "Coastal", "Nordic", "Vintage", "Essential",
    "Studio", "Heritage", "Alpine", "Modern", "Soft", "Bold", "Compact", "Travel",
)  # fmt: skip
MATERIALS = (
    "Linen", "Cotton", "Oak", "Walnut", "Steel", "Ceramic", "Wool", "Bamboo", "Leather",
    "Canvas", "Copper", "Glass",
)  # fmt: skip
SIZES = ("S", "M", "L")
COLOURS = ("Black", "White", "Sand", "Olive")
FIRST_NAMES = (
    "Ada", "Alan", "Barbara", "Claude", "Dennis", "Donald", "Edsger", "Frances", "Grace",
    "Hedy", "John", "Katherine", "Ken", "Leslie", "Margaret", "Niklaus", "Radia", "Tony",
)  # fmt: skip
LAST_NAMES = (
    "Lovelace", "Turing", "Liskov", "Shannon", "Ritchie", "Knuth", "Dijkstra", "Allen",
    "Hopper", "Lamarr", "Backus", "Johnson", "Thompson", "Lamport", "Hamilton", "Wirth",
    "Perlman", "Hoare",
)  # fmt: skip
CITIES = (
    ("Istanbul", "TR", "34000"), ("Ankara", "TR", "06000"), ("Izmir", "TR", "35000"),
    ("Berlin", "DE", "10115"), ("Amsterdam", "NL", "1011"), ("Lyon", "FR", "69001"),
)  # fmt: skip


def slugify(text: str) -> str:
    """Lower-case words joined by dashes: what the slug CHECKs accept."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def categories(profile: str, roots: int, per_root: int) -> list[CategorySpec]:
    """The first ``roots`` departments with their first ``per_root`` children."""
    specs: list[CategorySpec] = []
    for r, (root, children) in enumerate(DEPARTMENTS[:roots]):
        root_slug = f"{profile}-{slugify(root)}"
        specs.append(CategorySpec(root, root_slug, None, f"All of {root}", r))
        for c, (child, _) in enumerate(children[:per_root]):
            specs.append(
                CategorySpec(child, f"{profile}-{slugify(child)}", root_slug, f"{root}: {child}", c)
            )
    return specs


def products(profile: str, roots: int, per_root: int, count: int) -> list[ProductSpec]:
    """``count`` products spread over the leaf categories, one to three variants each."""
    leaves = [
        (root, child, nouns)
        for root, children in DEPARTMENTS[:roots]
        for child, nouns in children[:per_root]
    ]
    return [_product(profile, i, *leaves[i % len(leaves)]) for i in range(count)]


def _product(profile: str, i: int, root: str, child: str, nouns: tuple[str, ...]) -> ProductSpec:
    rng = random.Random(f"{profile}:product:{i}")
    title = f"{rng.choice(ADJECTIVES)} {rng.choice(MATERIALS)} {rng.choice(nouns)}"
    number = f"{i + 1:05d}"
    price = Decimal(rng.randint(5, 250) * 20 - 1) + Decimal("0.90")
    options = SIZES if root == "Clothing" else COLOURS
    variants = tuple(
        VariantSpec(
            title=option,
            sku=f"{profile.upper()}-{number}-{v + 1}",
            price=price,
            on_hand=rng.randint(40, 400),
            attributes={"size" if options is SIZES else "colour": option},
            weight_grams=rng.randint(100, 3000),
        )
        for v, option in enumerate(options[: 1 + i % 3])
    )
    return ProductSpec(
        title=title,
        slug=f"{profile}-{slugify(title)}-{number}",
        category_slug=f"{profile}-{slugify(child)}",
        summary=f"{title}: part of our {child.lower()} range.",
        description=f"The {title.lower()} from the {root.lower()} department. Item {number}.",
        variants=variants,
        keywords=(root.lower(), child.lower()),
    )


def customers(profile: str, count: int) -> list[CustomerSpec]:
    """``count`` customers, ``<first>.<last>.<n>@<profile>.example.com``, each with an address."""
    specs = []
    for i in range(count):
        rng = random.Random(f"{profile}:customer:{i}")
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        city, country, postal = rng.choice(CITIES)
        specs.append(
            CustomerSpec(
                email=f"{first}.{last}.{i + 1:05d}@{profile}.example.com".lower(),
                first_name=first,
                last_name=last,
                phone=f"+90555{i % 10_000_000:07d}",
                line1=f"{rng.randint(1, 200)} {rng.choice(LAST_NAMES)} Street",
                city=city,
                postal_code=postal,
                country=country,
            )
        )
    return specs
