-- Collections: curated groups of products in display order. Writes that depend on the other
-- members (append at the end, reorder) lock the collection row first (lock_collection).

-- name: create(name, slug, description, image_url, status, display_order)<!
-- Insert a collection and return it.
INSERT INTO collections (name, slug, description, image_url, status, display_order)
VALUES (:name, :slug, :description, :image_url, :status, :display_order)
RETURNING id, name, slug, description, image_url, status, display_order, created_at, updated_at;

-- name: get(id)^
-- The collection with this id.
SELECT id, name, slug, description, image_url, status, display_order, created_at, updated_at
  FROM collections
 WHERE id = :id;

-- name: get_by_slug(slug)^
-- The collection with this slug.
SELECT id, name, slug, description, image_url, status, display_order, created_at, updated_at
  FROM collections
 WHERE slug = :slug;

-- name: lock_collection(collection_id)$
-- Lock the collection row (NO KEY UPDATE: inserts of members still pass); None if it is absent.
SELECT id
  FROM collections
 WHERE id = :collection_id
   FOR NO KEY UPDATE;

-- name: add_product(collection_id, product_id, display_order)<!
-- Add a product at display_order, or after the last member when it is None.
INSERT INTO product_collections (collection_id, product_id, display_order)
SELECT :collection_id, :product_id,
       coalesce(:display_order,
                (SELECT max(pc.display_order) + 1
                   FROM product_collections pc
                  WHERE pc.collection_id = :collection_id),
                0)
RETURNING collection_id, product_id, display_order, created_at, updated_at;

-- name: remove_product(collection_id, product_id)<!
-- Take a product out of a collection; its membership as it was, None when it was not in it.
DELETE FROM product_collections
 WHERE collection_id = :collection_id
   AND product_id = :product_id
RETURNING collection_id, product_id, display_order, created_at, updated_at;

-- name: count_products(collection_id)$
-- How many live (not soft-deleted) products the collection holds.
SELECT count(*)
  FROM product_collections pc
  JOIN products p ON p.id = pc.product_id
 WHERE pc.collection_id = :collection_id
   AND p.deleted_at IS NULL;

-- name: reorder_products(collection_id, product_ids)!
-- Give each listed live member the display_order of its position in product_ids (0, 1, ...).
UPDATE product_collections pc
   SET display_order = o.position - 1
  FROM unnest(CAST(:product_ids AS uuid[])) WITH ORDINALITY AS o (product_id, position)
 WHERE pc.collection_id = :collection_id
   AND pc.product_id = o.product_id
   AND EXISTS (SELECT 1 FROM products p WHERE p.id = pc.product_id AND p.deleted_at IS NULL);

-- name: list_products(collection_id, after_display_order, after_product_id, limit)
-- One keyset page of the collection's live products in display order (ties by product id).
SELECT pc.collection_id, pc.product_id, pc.display_order, p.title, p.slug, p.status, p.price,
       p.currency, pc.created_at AS added_at
  FROM product_collections pc
  JOIN products p ON p.id = pc.product_id
 WHERE pc.collection_id = :collection_id
   AND p.deleted_at IS NULL
   AND (pc.display_order, pc.product_id) > (:after_display_order, :after_product_id)
 ORDER BY pc.display_order, pc.product_id
 LIMIT :limit;

-- name: update(id, set_name, name, set_slug, slug, set_description, description, set_image_url, image_url, set_status, status, set_display_order, display_order)<!
-- Change the fields whose set_ flag is true.
UPDATE collections
   SET name          = CASE WHEN :set_name          THEN :name          ELSE name          END,
       slug          = CASE WHEN :set_slug          THEN :slug          ELSE slug          END,
       description   = CASE WHEN :set_description   THEN :description   ELSE description   END,
       image_url     = CASE WHEN :set_image_url     THEN :image_url     ELSE image_url     END,
       status        = CASE WHEN :set_status        THEN :status        ELSE status        END,
       display_order = CASE WHEN :set_display_order THEN :display_order ELSE display_order END
 WHERE id = :id
RETURNING id, name, slug, description, image_url, status, display_order, created_at, updated_at;

-- name: delete(id)<!
-- Delete a collection (its memberships go with it; the products stay) and return it as it was.
DELETE FROM collections
 WHERE id = :id
RETURNING id, name, slug, description, image_url, status, display_order, created_at, updated_at;

-- name: list_collections(after_created_at, after_id, limit)
-- One keyset page of every collection, newest first.
SELECT id, name, slug, description, image_url, status, display_order, created_at, updated_at
  FROM collections
 WHERE (created_at, id) < (:after_created_at, :after_id)
 ORDER BY created_at DESC, id DESC
 LIMIT :limit;

-- name: list_collections_by_status(status, after_created_at, after_id, limit)
-- One keyset page of the collections in one status, newest first.
SELECT id, name, slug, description, image_url, status, display_order, created_at, updated_at
  FROM collections
 WHERE status = :status
   AND (created_at, id) < (:after_created_at, :after_id)
 ORDER BY created_at DESC, id DESC
 LIMIT :limit;

-- name: member_order(collection_id)$
-- The collection's live products in display order (ties by product id), as an array.
SELECT coalesce(array_agg(pc.product_id ORDER BY pc.display_order, pc.product_id), '{}')
  FROM product_collections pc
  JOIN products p ON p.id = pc.product_id
 WHERE pc.collection_id = :collection_id
   AND p.deleted_at IS NULL;
