"""MediaRepository: media records and their product and variant links over sql/media.sql.

Each product (and each variant) that has media has exactly one primary: the first attached,
until ``set_primary`` moves it; removing the primary promotes the next in sort order. The
partial unique indexes allow at most one; the writes below keep "at least one" by taking
the owner's media lock (an advisory lock per product or variant) before they decide, so two
of them racing cannot both clear or both set it. Locks, whenever several are taken: the
products' (in id order), then the variants' (in id order), then the link rows.
"""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

from shopdb.core.errors import NotFoundError
from shopdb.core.unit_async import unit_of_work
from shopdb.models.media import AttachedMedia, Media, NewMedia
from shopdb.repositories.base_async import AsyncShopRepository


class AsyncMediaRepository(AsyncShopRepository):
    """Media records, their links to products and variants, and the primary of each owner."""

    namespace = "media"
    entity = "media"
    tables = ("media", "product_media", "variant_media")
    locks = {
        "lock_product": None,
        "lock_variant": None,
        "lock_products_of_media": None,
        "lock_variants_of_media": None,
    }
    queries = {
        "create": Media,
        "get": Media,
        "attach_to_product": AttachedMedia,
        "detach_from_product": None,
        "demote_product_primary": None,
        "promote_product_media": None,
        "promote_first_product_media": None,
        "list_for_product": AttachedMedia,
        "attach_to_variant": AttachedMedia,
        "detach_from_variant": None,
        "demote_variant_primary": None,
        "promote_variant_media": None,
        "promote_first_variant_media": None,
        "list_for_variant": AttachedMedia,
        "delete": None,
    }
    constraint_messages = {
        "media_asset_id_key": "a media record with this asset id already exists",
        "media_url_check": "a media url starts with http:// or https://",
        "media_mime_type_check": "a mime type looks like image/jpeg",
        "product_media_pkey": "the media is already linked to this product",
        "product_media_media_id_fkey": "the media record does not exist",
        "product_media_product_id_fkey": "the product does not exist",
        "product_media_product_id_is_primary_key": "a product has one primary media only",
        "variant_media_pkey": "the media is already linked to this variant",
        "variant_media_media_id_fkey": "the media record does not exist",
        "variant_media_variant_id_fkey": "the variant does not exist",
        "variant_media_variant_id_is_primary_key": "a variant has one primary media only",
    }

    async def create(self, new: NewMedia) -> Media:
        """Record an uploaded asset; ConflictError when its asset id is recorded already."""
        return await self._get("create", Media, **new.model_dump())

    async def get(self, media_id: UUID) -> Media:
        """The media record with this id; NotFoundError otherwise."""
        return await self._get("get", Media, id=media_id)

    async def attach_to_product(
        self, product_id: UUID, media_id: UUID, *, sort_order: int | None = None
    ) -> AttachedMedia:
        """Link media to a product at ``sort_order`` (None: last); it becomes the primary when
        the product had none. NotFoundError for the product, ConflictError when linked already,
        ConstraintViolation for a missing media record. Locks: the product's media lock."""
        return await self._attach(AsyncOwner.PRODUCT, product_id, media_id, sort_order)

    async def detach_from_product(self, product_id: UUID, media_id: UUID) -> None:
        """Unlink media from a product; if it was the primary, the next in sort order becomes
        it. NotFoundError when it was not linked. Locks: the product's media lock."""
        await self._detach(AsyncOwner.PRODUCT, product_id, media_id)

    async def set_primary(self, product_id: UUID, media_id: UUID) -> None:
        """Make linked media the product's one primary, also when calls race (the last to run
        wins). NotFoundError when the product or the link does not exist (nothing changes).
        Locks: the product's media lock, then its media links."""
        await self._make_primary(AsyncOwner.PRODUCT, product_id, media_id)

    async def list_for_product(self, product_id: UUID) -> list[AttachedMedia]:
        """A product's media in sort order, each with its sort order and primary flag."""
        return await self._list("list_for_product", AttachedMedia, product_id=product_id)

    async def attach_to_variant(
        self, variant_id: UUID, media_id: UUID, *, sort_order: int | None = None
    ) -> AttachedMedia:
        """Link media to a variant, as ``attach_to_product`` does. Locks: the variant's media
        lock."""
        return await self._attach(AsyncOwner.VARIANT, variant_id, media_id, sort_order)

    async def detach_from_variant(self, variant_id: UUID, media_id: UUID) -> None:
        """Unlink media from a variant, promoting the next one if it was the primary.
        Locks: the variant's media lock."""
        await self._detach(AsyncOwner.VARIANT, variant_id, media_id)

    async def set_variant_primary(self, variant_id: UUID, media_id: UUID) -> None:
        """Make linked media the variant's one primary. Locks: the variant's media lock, then
        its links."""
        await self._make_primary(AsyncOwner.VARIANT, variant_id, media_id)

    async def list_for_variant(self, variant_id: UUID) -> list[AttachedMedia]:
        """A variant's media in sort order, each with its sort order and primary flag."""
        return await self._list("list_for_variant", AttachedMedia, variant_id=variant_id)

    @unit_of_work
    async def delete(self, media_id: UUID) -> None:
        """Delete a media record and its links; each product or variant whose primary it was
        gets the next in sort order. NotFoundError when there is none. Locks: the media locks
        of the products using it (id order), then of the variants (id order), then the record."""
        products = await self._lock("lock_products_of_media", None, media_id=media_id)
        variants = await self._lock("lock_variants_of_media", None, media_id=media_id)
        await self._touch("delete", id=media_id)
        await self._count("promote_first_product_media", product_ids=products)
        await self._count("promote_first_variant_media", variant_ids=variants)

    @unit_of_work
    async def _attach(
        self, owner: AsyncOwner, owner_id: UUID, media_id: UUID, sort_order: int | None
    ) -> AttachedMedia:
        key = await self._lock_owner(owner, owner_id)
        return await self._get(
            f"attach_to_{owner}", AttachedMedia, media_id=media_id, sort_order=sort_order, **key
        )

    @unit_of_work
    async def _detach(self, owner: AsyncOwner, owner_id: UUID, media_id: UUID) -> None:
        key = await self._lock_owner(owner, owner_id)
        await self._touch(f"detach_from_{owner}", media_id=media_id, **key)
        await self._count(f"promote_first_{owner}_media", **{f"{owner}_ids": [owner_id]})

    @unit_of_work
    async def _make_primary(self, owner: AsyncOwner, owner_id: UUID, media_id: UUID) -> None:
        key = await self._lock_owner(owner, owner_id)
        await self._count(f"demote_{owner}_primary", media_id=media_id, **key)
        await self._touch(f"promote_{owner}_media", media_id=media_id, **key)

    async def _lock_owner(self, owner: AsyncOwner, owner_id: UUID) -> dict[str, UUID]:
        """Take the media lock of a product or variant (NotFoundError naming it when absent);
        its key as the statements take it (``product_id=...``)."""
        key = {f"{owner}_id": owner_id}
        try:
            await self._lock(f"lock_{owner}", None, **key)
        except NotFoundError:
            raise NotFoundError(owner.value, owner_id) from None
        return key


class AsyncOwner(StrEnum):
    """What media hangs on: its statements are named after it (``attach_to_product``)."""

    PRODUCT = "product"
    VARIANT = "variant"
