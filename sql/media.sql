-- Media: assets at a provider and their links to products and variants. Each product (and
-- each variant) with media has exactly one primary: the first attached, until set_primary
-- moves it or its removal promotes the next in sort order. Writes that decide the primary take
-- the owner's media lock first (lock_product / lock_variant: advisory locks), so two of them
-- never race.

-- name: create(asset_id, url, type, provider, mime_type, size_bytes, width, height, alt, caption)<!
-- Insert a media record and return it.
INSERT INTO media (asset_id, url, type, provider, mime_type, size_bytes, width, height, alt, caption)
VALUES (:asset_id, :url, :type, :provider, :mime_type, :size_bytes, :width, :height, :alt, :caption)
RETURNING id, asset_id, url, type, provider, mime_type, size_bytes, width, height, alt, caption,
          created_at, updated_at;

-- name: get(id)^
-- The media record with this id.
SELECT id, asset_id, url, type, provider, mime_type, size_bytes, width, height, alt, caption,
       created_at, updated_at
  FROM media
 WHERE id = :id;

-- name: lock_product(product_id)$
-- Serialize the media changes of one product (an advisory lock); None if there is no such product.
SELECT p.id
  FROM products p, pg_advisory_xact_lock(hashtextextended('shopdb.media.product:' || p.id::text, 0))
 WHERE p.id = :product_id;

-- name: lock_variant(variant_id)$
-- Serialize the media changes of one variant (an advisory lock); None if there is no such variant.
SELECT v.id
  FROM product_variants v, pg_advisory_xact_lock(hashtextextended('shopdb.media.variant:' || v.id::text, 0))
 WHERE v.id = :variant_id;

-- name: attach_to_product(product_id, media_id, sort_order)<!
-- Link media to a product at sort_order (None: last); primary when the product has none yet.
WITH link AS (
    INSERT INTO product_media (product_id, media_id, sort_order, is_primary)
    SELECT :product_id, :media_id,
           coalesce(:sort_order,
                    (SELECT max(pm.sort_order) + 1
                       FROM product_media pm
                      WHERE pm.product_id = :product_id),
                    0),
           NOT EXISTS (SELECT 1
                         FROM product_media pm
                        WHERE pm.product_id = :product_id AND pm.is_primary)
    RETURNING media_id, sort_order, is_primary
)
SELECT m.id, m.asset_id, m.url, m.type, m.provider, m.mime_type, m.size_bytes, m.width,
       m.height, m.alt, m.caption, m.created_at, m.updated_at, l.sort_order, l.is_primary
  FROM link l
  JOIN media m ON m.id = l.media_id;

-- name: detach_from_product(product_id, media_id)!
-- Remove the link between a product and a media record.
DELETE FROM product_media
 WHERE product_id = :product_id
   AND media_id = :media_id;

-- name: demote_product_primary(product_id, media_id)!
-- Clear the product's primary flag unless it is already on media_id (first half of set_primary).
UPDATE product_media
   SET is_primary = false
 WHERE product_id = :product_id
   AND is_primary
   AND media_id <> :media_id;

-- name: promote_product_media(product_id, media_id)!
-- Make one linked media record the product's primary (second half of set_primary).
UPDATE product_media
   SET is_primary = true
 WHERE product_id = :product_id
   AND media_id = :media_id;

-- name: promote_first_product_media(product_ids)!
-- For each product listed that has media but no primary, make the first in sort order primary.
UPDATE product_media pm
   SET is_primary = true
  FROM (SELECT DISTINCT ON (f.product_id) f.product_id, f.media_id
          FROM product_media f
         WHERE f.product_id = ANY (CAST(:product_ids AS uuid[]))
         ORDER BY f.product_id, f.sort_order, f.media_id) AS first
 WHERE pm.product_id = first.product_id
   AND pm.media_id = first.media_id
   AND NOT EXISTS (SELECT 1
                     FROM product_media x
                    WHERE x.product_id = pm.product_id AND x.is_primary);

-- name: list_for_product(product_id)
-- The media of a product in sort order (ties by media id), each with its link's sort_order and flag.
SELECT m.id, m.asset_id, m.url, m.type, m.provider, m.mime_type, m.size_bytes, m.width,
       m.height, m.alt, m.caption, m.created_at, m.updated_at, pm.sort_order, pm.is_primary
  FROM product_media pm
  JOIN media m ON m.id = pm.media_id
 WHERE pm.product_id = :product_id
 ORDER BY pm.sort_order, pm.media_id;

-- name: attach_to_variant(variant_id, media_id, sort_order)<!
-- Link media to a variant at sort_order (None: last); primary when the variant has none yet.
WITH link AS (
    INSERT INTO variant_media (variant_id, media_id, sort_order, is_primary)
    SELECT :variant_id, :media_id,
           coalesce(:sort_order,
                    (SELECT max(vm.sort_order) + 1
                       FROM variant_media vm
                      WHERE vm.variant_id = :variant_id),
                    0),
           NOT EXISTS (SELECT 1
                         FROM variant_media vm
                        WHERE vm.variant_id = :variant_id AND vm.is_primary)
    RETURNING media_id, sort_order, is_primary
)
SELECT m.id, m.asset_id, m.url, m.type, m.provider, m.mime_type, m.size_bytes, m.width,
       m.height, m.alt, m.caption, m.created_at, m.updated_at, l.sort_order, l.is_primary
  FROM link l
  JOIN media m ON m.id = l.media_id;

-- name: detach_from_variant(variant_id, media_id)!
-- Remove the link between a variant and a media record.
DELETE FROM variant_media
 WHERE variant_id = :variant_id
   AND media_id = :media_id;

-- name: demote_variant_primary(variant_id, media_id)!
-- Clear the variant's primary flag unless it is already on media_id (first half of set_variant_primary).
UPDATE variant_media
   SET is_primary = false
 WHERE variant_id = :variant_id
   AND is_primary
   AND media_id <> :media_id;

-- name: promote_variant_media(variant_id, media_id)!
-- Make one linked media record the variant's primary (second half of set_variant_primary).
UPDATE variant_media
   SET is_primary = true
 WHERE variant_id = :variant_id
   AND media_id = :media_id;

-- name: promote_first_variant_media(variant_ids)!
-- For each variant listed that has media but no primary, make the first in sort order primary.
UPDATE variant_media vm
   SET is_primary = true
  FROM (SELECT DISTINCT ON (f.variant_id) f.variant_id, f.media_id
          FROM variant_media f
         WHERE f.variant_id = ANY (CAST(:variant_ids AS uuid[]))
         ORDER BY f.variant_id, f.sort_order, f.media_id) AS first
 WHERE vm.variant_id = first.variant_id
   AND vm.media_id = first.media_id
   AND NOT EXISTS (SELECT 1
                     FROM variant_media x
                    WHERE x.variant_id = vm.variant_id AND x.is_primary);

-- name: list_for_variant(variant_id)
-- The media of a variant in sort order (ties by media id), each with its link's sort_order and flag.
SELECT m.id, m.asset_id, m.url, m.type, m.provider, m.mime_type, m.size_bytes, m.width,
       m.height, m.alt, m.caption, m.created_at, m.updated_at, vm.sort_order, vm.is_primary
  FROM variant_media vm
  JOIN media m ON m.id = vm.media_id
 WHERE vm.variant_id = :variant_id
 ORDER BY vm.sort_order, vm.media_id;

-- name: lock_products_of_media(media_id)$
-- Take the media lock of each product using this media, in product id order; their ids.
SELECT ARRAY(SELECT o.product_id
               FROM (SELECT pm.product_id
                       FROM product_media pm
                      WHERE pm.media_id = :media_id
                      ORDER BY pm.product_id
                     OFFSET 0) o,
                    pg_advisory_xact_lock(hashtextextended('shopdb.media.product:' || o.product_id::text, 0)));

-- name: lock_variants_of_media(media_id)$
-- Take the media lock of each variant using this media, in variant id order; their ids.
SELECT ARRAY(SELECT o.variant_id
               FROM (SELECT vm.variant_id
                       FROM variant_media vm
                      WHERE vm.media_id = :media_id
                      ORDER BY vm.variant_id
                     OFFSET 0) o,
                    pg_advisory_xact_lock(hashtextextended('shopdb.media.variant:' || o.variant_id::text, 0)));

-- name: delete(id)!
-- Delete a media record; its product and variant links go with it (ON DELETE CASCADE).
DELETE FROM media
 WHERE id = :id;
