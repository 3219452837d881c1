"""MediaRepository on a real PostgreSQL: media records, their product and variant links, and
exactly one primary per owner, also when calls race. ``tx`` by default; ``db`` for races."""

from __future__ import annotations

import threading
from typing import Any
from uuid import UUID, uuid4

import pytest

from shopdb import Database, Transaction
from shopdb.errors import ConflictError, ConstraintViolation, InvalidInput, NotFoundError
from shopdb.models import Media, MediaProvider, MediaType, NewMedia
from tests.repositories.fixture_products import (
    insert_product,
    insert_variant,
    wait_until_someone_waits_for_a_lock,
)


def new_media(name: str | None = None, **fields: Any) -> NewMedia:
    name = name or uuid4().hex[:12]
    return NewMedia(
        **{
            "asset_id": f"shop/{name}",
            "url": f"https://cdn.example.com/{name}.jpg",
            "type": MediaType.IMAGE,
            "provider": MediaProvider.CLOUDINARY,
            "mime_type": "image/jpeg",
            "size_bytes": 1234,
            "width": 800,
            "height": 600,
            **fields,
        }
    )


@pytest.fixture
def product(tx: Transaction) -> UUID:
    return insert_product(tx.connection, "camera")


@pytest.fixture
def images(tx: Transaction) -> list[Media]:
    return [tx.media.create(new_media(f"img-{i}")) for i in range(3)]


def primaries(tx: Transaction, product: UUID) -> list[UUID]:
    return [m.id for m in tx.media.list_for_product(product) if m.is_primary]


def test_create_and_get_return_the_record(tx: Transaction) -> None:
    made = tx.media.create(new_media("hero", alt="A camera", caption="Front"))

    assert tx.media.get(made.id) == made
    assert (made.asset_id, made.type, made.provider, made.width) == (
        "shop/hero",
        MediaType.IMAGE,
        MediaProvider.CLOUDINARY,
        800,
    )


def test_a_recorded_asset_id_is_a_conflict_and_unknown_media_not_found(tx: Transaction) -> None:
    tx.media.create(new_media("hero"))

    with pytest.raises(ConflictError) as refused, tx.savepoint() as sp:
        sp.media.create(new_media("hero"))
    with pytest.raises(NotFoundError):
        tx.media.get(uuid4())

    assert refused.value.constraint == "media_asset_id_key"


@pytest.mark.parametrize(
    "fields",
    [
        {"url": "ftp://example.com/a.jpg"},
        {"mime_type": "jpeg"},
        {"size_bytes": -1},
        {"width": 0},
        {"type": "AUDIO"},
        {"provider": "DROPBOX"},
        {"asset_id": ""},
    ],
)
def test_new_media_refuses_what_the_schema_would(fields: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        new_media(**fields)


def test_the_first_media_attached_is_primary_and_the_others_follow_in_order(
    tx: Transaction, product: UUID, images: list[Media]
) -> None:
    attached = [tx.media.attach_to_product(product, m.id) for m in images]

    assert [(a.sort_order, a.is_primary) for a in attached] == [(0, True), (1, False), (2, False)]
    assert [m.id for m in tx.media.list_for_product(product)] == [m.id for m in images]


def test_attach_at_a_sort_order_places_it(
    tx: Transaction, product: UUID, images: list[Media]
) -> None:
    tx.media.attach_to_product(product, images[0].id, sort_order=5)
    tx.media.attach_to_product(product, images[1].id, sort_order=1)

    assert [m.id for m in tx.media.list_for_product(product)] == [images[1].id, images[0].id]


def test_attach_refuses_a_second_link_an_unknown_product_and_unknown_media(
    tx: Transaction, product: UUID, images: list[Media]
) -> None:
    tx.media.attach_to_product(product, images[0].id)

    with pytest.raises(ConflictError) as twice, tx.savepoint() as sp:
        sp.media.attach_to_product(product, images[0].id)
    with pytest.raises(NotFoundError) as no_product:
        tx.media.attach_to_product(uuid4(), images[0].id)
    with pytest.raises(ConstraintViolation) as no_media, tx.savepoint() as sp:
        sp.media.attach_to_product(product, uuid4())

    assert twice.value.constraint == "product_media_pkey"
    assert no_product.value.entity == "product"
    assert no_media.value.constraint == "product_media_media_id_fkey"


def test_set_primary_moves_the_one_primary(
    tx: Transaction, product: UUID, images: list[Media]
) -> None:
    for m in images:
        tx.media.attach_to_product(product, m.id)

    tx.media.set_primary(product, images[2].id)
    assert primaries(tx, product) == [images[2].id]
    tx.media.set_primary(product, images[2].id)  # again: still the one

    assert primaries(tx, product) == [images[2].id]


def test_set_primary_of_unlinked_media_or_an_unknown_product_changes_nothing(
    tx: Transaction, product: UUID, images: list[Media]
) -> None:
    tx.media.attach_to_product(product, images[0].id)

    with pytest.raises(NotFoundError) as unlinked:
        tx.media.set_primary(product, images[1].id)
    with pytest.raises(NotFoundError) as no_product:
        tx.media.set_primary(uuid4(), images[0].id)

    assert primaries(tx, product) == [images[0].id]
    assert (unlinked.value.entity, unlinked.value.key) == ("media", images[1].id)
    assert no_product.value.entity == "product"


def test_detaching_the_primary_promotes_the_next_in_sort_order(
    tx: Transaction, product: UUID, images: list[Media]
) -> None:
    for m in images:
        tx.media.attach_to_product(product, m.id)

    tx.media.detach_from_product(product, images[0].id)
    assert primaries(tx, product) == [images[1].id]
    tx.media.detach_from_product(product, images[2].id)  # not the primary: it stays

    assert primaries(tx, product) == [images[1].id]
    with pytest.raises(NotFoundError):
        tx.media.detach_from_product(product, images[0].id)


def test_deleting_media_removes_its_links_and_promotes_for_each_owner(
    tx: Transaction, product: UUID, images: list[Media]
) -> None:
    other = insert_product(tx.connection, "lens")
    variant = insert_variant(tx.connection, product)
    for owner in (product, other):
        for m in images[:2]:
            tx.media.attach_to_product(owner, m.id)
    for m in images[:2]:
        tx.media.attach_to_variant(variant, m.id)

    tx.media.delete(images[0].id)

    assert primaries(tx, product) == [images[1].id]
    assert primaries(tx, other) == [images[1].id]
    assert [(m.id, m.is_primary) for m in tx.media.list_for_variant(variant)] == [
        (images[1].id, True)
    ]
    with pytest.raises(NotFoundError):
        tx.media.get(images[0].id)
    with pytest.raises(NotFoundError):
        tx.media.delete(images[0].id)


def test_deleting_unlinked_media_just_deletes_it(tx: Transaction, images: list[Media]) -> None:
    tx.media.delete(images[0].id)

    with pytest.raises(NotFoundError):
        tx.media.get(images[0].id)


def test_variant_links_keep_one_primary_like_products(
    tx: Transaction, product: UUID, images: list[Media]
) -> None:
    variant = insert_variant(tx.connection, product)
    attached = [tx.media.attach_to_variant(variant, m.id) for m in images]
    assert [a.is_primary for a in attached] == [True, False, False]

    tx.media.set_variant_primary(variant, images[1].id)
    assert [m.id for m in tx.media.list_for_variant(variant) if m.is_primary] == [images[1].id]
    tx.media.detach_from_variant(variant, images[1].id)
    assert [m.id for m in tx.media.list_for_variant(variant) if m.is_primary] == [images[0].id]

    with pytest.raises(NotFoundError):
        tx.media.set_variant_primary(variant, images[1].id)
    with pytest.raises(NotFoundError):
        tx.media.detach_from_variant(variant, images[1].id)
    with pytest.raises(NotFoundError) as no_variant:
        tx.media.attach_to_variant(uuid4(), images[0].id)
    assert no_variant.value.entity == "variant"


def test_list_for_a_product_without_media_is_empty(tx: Transaction, product: UUID) -> None:
    assert tx.media.list_for_product(product) == []
    assert tx.media.list_for_variant(uuid4()) == []


# --- races (own database, several connections) ---------------------------------------------


@pytest.fixture
def gallery(db: Database) -> tuple[UUID, list[Media]]:
    with db.pool.connection() as conn:
        product = insert_product(conn, "racing-camera")
    media = [db.media.create(new_media(f"race-{i}")) for i in range(6)]
    for m in media:
        db.media.attach_to_product(product, m.id)
    return product, media


def db_primaries(db: Database, product: UUID) -> list[UUID]:
    return [m.id for m in db.media.list_for_product(product) if m.is_primary]


def test_set_primary_waiting_for_another_sees_its_primary_and_replaces_it(
    db: Database, gallery: tuple[UUID, list[Media]]
) -> None:
    # Without the product lock the second call would read a snapshot with the first media as
    # primary, miss the one the first call sets, and break product_media_product_id_is_primary_key.
    product, media = gallery
    done = threading.Event()
    outcome: list[Exception | None] = []

    def second() -> None:
        try:
            db.media.set_primary(product, media[2].id)
            outcome.append(None)
        except Exception as exc:
            outcome.append(exc)
        finally:
            done.set()

    with db.transaction() as first:
        first.media.set_primary(product, media[1].id)
        racer = threading.Thread(target=second)
        racer.start()
        wait_until_someone_waits_for_a_lock(db, done)
        assert not done.is_set()
    racer.join(timeout=10)

    assert outcome == [None]
    assert db_primaries(db, product) == [media[2].id]


def test_many_racing_set_primary_calls_leave_exactly_one_primary(
    db: Database, gallery: tuple[UUID, list[Media]]
) -> None:
    product, media = gallery
    start = threading.Barrier(len(media), timeout=10)
    errors: list[Exception] = []

    def make_primary(m: Media) -> None:
        try:
            start.wait()
            db.media.set_primary(product, m.id)
        except Exception as exc:
            errors.append(exc)

    for _ in range(5):
        threads = [threading.Thread(target=make_primary, args=(m,)) for m in media]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=10)
        assert errors == []
        assert len(db_primaries(db, product)) == 1


def test_racing_detach_of_the_primary_and_set_primary_leave_exactly_one(
    db: Database, gallery: tuple[UUID, list[Media]]
) -> None:
    product, media = gallery
    start = threading.Barrier(2, timeout=10)
    errors: list[Exception] = []

    def run(call: Any) -> None:
        try:
            start.wait()
            call()
        except Exception as exc:
            errors.append(exc)

    threads = [
        threading.Thread(
            target=run, args=(lambda: db.media.detach_from_product(product, media[0].id),)
        ),
        threading.Thread(target=run, args=(lambda: db.media.set_primary(product, media[3].id),)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)

    assert errors == []
    assert len(db_primaries(db, product)) == 1
