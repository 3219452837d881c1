"""MediaRepository: media records and their product and variant links over sql/media.sql.

Each product (and each variant) that has media has exactly one primary: the first attached,
until ``set_primary`` moves it; removing the primary promotes the next in sort order. The
partial unique indexes allow at most one; the writes below keep "at least one" by locking
the owner row before they decide, so two of them racing cannot both clear or both set it.
Locks, whenever several are taken: products (in id order), then variants (in id order),
then the link rows.
"""

from __future__ import annotations

from uuid import UUID

from shopdb.core.errors import NotFoundError
from shopdb.core.repository import Repository
from shopdb.models.media import AttachedMedia, Media, NewMedia


class MediaRepository(Repository):
    """Media records, their links to products and variants, and the primary of each owner."""

    namespace = "media"
    entity = "media"
    queries = {
        "create": Media,
        "get": Media,
        "lock_product": None,
        "lock_variant": None,
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
        "lock_products_of_media": None,
        "lock_variants_of_media": None,
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

    def create(self, new: NewMedia) -> Media:
        """Record an uploaded asset; ConflictError when its asset id is recorded already."""
        return self._get("create", Media, **new.model_dump())

    def get(self, media_id: UUID) -> Media:
        """The media record with this id; NotFoundError otherwise."""
        return self._get("get", Media, id=media_id)

    def attach_to_product(
        self, product_id: UUID, media_id: UUID, *, sort_order: int | None = None
    ) -> AttachedMedia:
        """Link media to a product at ``sort_order`` (None: last); it becomes the primary when
        the product had none. NotFoundError for the product, ConflictError when linked already,
        ConstraintViolation for a missing media record. Locks: the product row."""
        with self._atomic() as tx:
            tx.media._lock_product(product_id)
            return tx.media._get(
                "attach_to_product",
                AttachedMedia,
                product_id=product_id,
                media_id=media_id,
                sort_order=sort_order,
            )

    def detach_from_product(self, product_id: UUID, media_id: UUID) -> None:
        """Unlink media from a product; if it was the primary, the next in sort order becomes
        it. NotFoundError when it was not linked. Locks: the product row."""
        with self._atomic() as tx:
            tx.media._lock_product(product_id)
            tx.media._touch("detach_from_product", media_id=media_id, product_id=product_id)
            tx.media._count("promote_first_product_media", product_ids=[product_id])

    def set_primary(self, product_id: UUID, media_id: UUID) -> None:
        """Make linked media the product's one primary, also when calls race (the last to run
        wins). NotFoundError when the product or the link does not exist (nothing changes).
        Locks: the product row, then its media links."""
        with self._atomic() as tx:
            tx.media._lock_product(product_id)
            tx.media._count("demote_product_primary", product_id=product_id, media_id=media_id)
            tx.media._touch("promote_product_media", media_id=media_id, product_id=product_id)

    def list_for_product(self, product_id: UUID) -> list[AttachedMedia]:
        """A product's media in sort order, each with its sort order and primary flag."""
        return self._list("list_for_product", AttachedMedia, product_id=product_id)

    def attach_to_variant(
        self, variant_id: UUID, media_id: UUID, *, sort_order: int | None = None
    ) -> AttachedMedia:
        """Link media to a variant, as ``attach_to_product`` does. Locks: the variant row."""
        with self._atomic() as tx:
            tx.media._lock_variant(variant_id)
            return tx.media._get(
                "attach_to_variant",
                AttachedMedia,
                variant_id=variant_id,
                media_id=media_id,
                sort_order=sort_order,
            )

    def detach_from_variant(self, variant_id: UUID, media_id: UUID) -> None:
        """Unlink media from a variant, promoting the next one if it was the primary.
        Locks: the variant row."""
        with self._atomic() as tx:
            tx.media._lock_variant(variant_id)
            tx.media._touch("detach_from_variant", media_id=media_id, variant_id=variant_id)
            tx.media._count("promote_first_variant_media", variant_ids=[variant_id])

    def set_variant_primary(self, variant_id: UUID, media_id: UUID) -> None:
        """Make linked media the variant's one primary. Locks: the variant row, then its links."""
        with self._atomic() as tx:
            tx.media._lock_variant(variant_id)
            tx.media._count("demote_variant_primary", variant_id=variant_id, media_id=media_id)
            tx.media._touch("promote_variant_media", media_id=media_id, variant_id=variant_id)

    def list_for_variant(self, variant_id: UUID) -> list[AttachedMedia]:
        """A variant's media in sort order, each with its sort order and primary flag."""
        return self._list("list_for_variant", AttachedMedia, variant_id=variant_id)

    def delete(self, media_id: UUID) -> None:
        """Delete a media record and its links; each product or variant whose primary it was
        gets the next in sort order. NotFoundError when there is none. Locks: the products
        using it (id order), then the variants using it (id order), then the record."""
        with self._atomic() as tx:
            products = tx.media._value("lock_products_of_media", media_id=media_id)
            variants = tx.media._value("lock_variants_of_media", media_id=media_id)
            tx.media._touch("delete", id=media_id)
            tx.media._count("promote_first_product_media", product_ids=products)
            tx.media._count("promote_first_variant_media", variant_ids=variants)

    # --- steps of the units of work above (run on the transaction's own repository) ---------

    def _lock_product(self, product_id: UUID) -> None:
        if self._value("lock_product", product_id=product_id) is None:
            raise NotFoundError("product", product_id)

    def _lock_variant(self, variant_id: UUID) -> None:
        if self._value("lock_variant", variant_id=variant_id) is None:
            raise NotFoundError("variant", variant_id)
