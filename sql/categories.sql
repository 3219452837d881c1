-- Categories: a tree kept by triggers (migration 0003). level and path are derived by
-- categories_set_hierarchy, a loop is refused as categories_parent_id_cycle_check, and every
-- statement that changes the hierarchy first updates category_tree_version (see 0003,
-- Concurrency), so these queries never compute level or path themselves.

-- name: create(name, slug, description, parent_id, image_url, icon_url, display_order)<!
-- Insert a category under its parent (None: a root) and return it with its level and path.
INSERT INTO categories (name, slug, description, parent_id, image_url, icon_url, display_order)
VALUES (:name, :slug, :description, :parent_id, :image_url, :icon_url, :display_order)
RETURNING id, name, slug, description, parent_id, level, path, image_url, icon_url,
          display_order, created_at, updated_at;

-- name: get(id)^
-- The category with this id.
SELECT id, name, slug, description, parent_id, level, path, image_url, icon_url,
       display_order, created_at, updated_at
  FROM categories
 WHERE id = :id;

-- name: get_by_slug(slug)^
-- The category with this slug.
SELECT id, name, slug, description, parent_id, level, path, image_url, icon_url,
       display_order, created_at, updated_at
  FROM categories
 WHERE slug = :slug;

-- name: move(id, parent_id)<!
-- Re-parent a category (None: make it a root); the triggers refuse a loop and recompute the subtree.
UPDATE categories
   SET parent_id = :parent_id
 WHERE id = :id
RETURNING id, name, slug, description, parent_id, level, path, image_url, icon_url,
          display_order, created_at, updated_at;

-- name: rename(id, name)<!
-- Change a category's name only: the slug, and so every path, stay as they are.
UPDATE categories
   SET name = :name
 WHERE id = :id
RETURNING id, name, slug, description, parent_id, level, path, image_url, icon_url,
          display_order, created_at, updated_at;

-- name: rename_with_slug(id, name, slug)<!
-- Change a category's name and slug; the triggers rewrite the path of its whole subtree.
UPDATE categories
   SET name = :name,
       slug = :slug
 WHERE id = :id
RETURNING id, name, slug, description, parent_id, level, path, image_url, icon_url,
          display_order, created_at, updated_at;

-- name: lock_category(id)^
-- The category with this id, row-locked (NO KEY UPDATE) for an update of its own fields.
SELECT id, name, slug, description, parent_id, level, path, image_url, icon_url,
       display_order, created_at, updated_at
  FROM categories
 WHERE id = :id
   FOR NO KEY UPDATE;

-- name: update(id, set_name, name, set_description, description, set_image_url, image_url, set_icon_url, icon_url, set_display_order, display_order)<!
-- Change the fields whose set_ flag is true; none of them moves the category in the tree.
UPDATE categories
   SET name          = CASE WHEN :set_name          THEN :name          ELSE name          END,
       description   = CASE WHEN :set_description   THEN :description   ELSE description   END,
       image_url     = CASE WHEN :set_image_url     THEN :image_url     ELSE image_url     END,
       icon_url      = CASE WHEN :set_icon_url      THEN :icon_url      ELSE icon_url      END,
       display_order = CASE WHEN :set_display_order THEN :display_order ELSE display_order END
 WHERE id = :id
RETURNING id, name, slug, description, parent_id, level, path, image_url, icon_url,
          display_order, created_at, updated_at;

-- name: lock_tree()$
-- Serialize a deletion with every change of the tree (the row the hierarchy triggers update first).
SELECT version
  FROM category_tree_version
   FOR NO KEY UPDATE;

-- name: delete(id)<!
-- Delete a category that holds no product and no child category; None otherwise (or when absent).
DELETE FROM categories AS c
 WHERE c.id = :id
   AND NOT EXISTS (SELECT 1 FROM categories AS child WHERE child.parent_id = c.id)
   AND NOT EXISTS (SELECT 1 FROM product_categories AS pc WHERE pc.category_id = c.id)
RETURNING c.id, c.name, c.slug, c.description, c.parent_id, c.level, c.path, c.image_url,
          c.icon_url, c.display_order, c.created_at, c.updated_at;

-- name: contents(id)^
-- How many product links and child categories a category holds.
SELECT (SELECT count(*) FROM product_categories AS pc WHERE pc.category_id = :id) AS products,
       (SELECT count(*) FROM categories AS c WHERE c.parent_id = :id) AS children;

-- name: tree()
-- The whole hierarchy depth first, siblings by display_order then name, in one recursive walk.
WITH RECURSIVE walk AS (
    SELECT c.id, c.name, c.slug, c.description, c.parent_id, c.level, c.path, c.image_url,
           c.icon_url, c.display_order, c.created_at, c.updated_at,
           ARRAY[row_number() OVER (ORDER BY c.display_order, c.name, c.id)] AS sort_key
      FROM categories c
     WHERE c.parent_id IS NULL
     UNION ALL
    SELECT c.id, c.name, c.slug, c.description, c.parent_id, c.level, c.path, c.image_url,
           c.icon_url, c.display_order, c.created_at, c.updated_at,
           w.sort_key || row_number() OVER (PARTITION BY c.parent_id
                                            ORDER BY c.display_order, c.name, c.id)
      FROM categories c
      JOIN walk w ON c.parent_id = w.id
)
SELECT id, name, slug, description, parent_id, level, path, image_url, icon_url,
       display_order, created_at, updated_at
  FROM walk
 ORDER BY sort_key;

-- name: ancestors(id)
-- The breadcrumb of a category: its ancestors from the root down, then the category itself.
WITH RECURSIVE up AS (
    SELECT id, name, slug, description, parent_id, level, path, image_url, icon_url,
           display_order, created_at, updated_at
      FROM categories
     WHERE id = :id
     UNION ALL
    SELECT c.id, c.name, c.slug, c.description, c.parent_id, c.level, c.path, c.image_url,
           c.icon_url, c.display_order, c.created_at, c.updated_at
      FROM categories c
      JOIN up u ON c.id = u.parent_id
)
SELECT id, name, slug, description, parent_id, level, path, image_url, icon_url,
       display_order, created_at, updated_at
  FROM up
 ORDER BY level;

-- name: descendants(id)
-- Every category below this one (not itself), depth first, siblings by display_order then name.
WITH RECURSIVE walk AS (
    SELECT c.id, c.name, c.slug, c.description, c.parent_id, c.level, c.path, c.image_url,
           c.icon_url, c.display_order, c.created_at, c.updated_at,
           ARRAY[row_number() OVER (ORDER BY c.display_order, c.name, c.id)] AS sort_key
      FROM categories c
     WHERE c.parent_id = :id
     UNION ALL
    SELECT c.id, c.name, c.slug, c.description, c.parent_id, c.level, c.path, c.image_url,
           c.icon_url, c.display_order, c.created_at, c.updated_at,
           w.sort_key || row_number() OVER (PARTITION BY c.parent_id
                                            ORDER BY c.display_order, c.name, c.id)
      FROM categories c
      JOIN walk w ON c.parent_id = w.id
)
SELECT id, name, slug, description, parent_id, level, path, image_url, icon_url,
       display_order, created_at, updated_at
  FROM walk
 ORDER BY sort_key;

-- name: products_in(category_id, after_created_at, after_id, limit)
-- One keyset page, newest first, of the live products in a category or any category below it.
WITH subtree AS (
    SELECT coalesce(array_agg(c.id), '{}') AS ids, category_subtree_is_wide(count(*)) AS wide
      FROM categories root
      JOIN categories c ON c.id = root.id OR starts_with(c.path, root.path || '/')
     WHERE root.id = :category_id
), narrow AS MATERIALIZED (
    SELECT p.id, p.title, p.slug, p.status, p.price, p.currency, p.created_at, p.updated_at
      FROM products p
     WHERE NOT (SELECT wide FROM subtree)
       AND p.id = ANY (CAST((SELECT array_agg(pc.product_id)
                               FROM product_categories pc
                              WHERE pc.category_id = ANY (CAST((SELECT ids FROM subtree) AS uuid[])))
                             AS uuid[]))
       AND p.deleted_at IS NULL
       AND (p.created_at, p.id) < (:after_created_at, :after_id)
)
(SELECT p.id, p.title, p.slug, p.status, p.price, p.currency, p.created_at, p.updated_at
   FROM products p
  WHERE (SELECT wide FROM subtree)
    AND p.deleted_at IS NULL
    AND (p.created_at, p.id) < (:after_created_at, :after_id)
    AND EXISTS (SELECT 1
                  FROM product_categories pc
                 WHERE pc.product_id = p.id
                   AND pc.category_id = ANY (CAST((SELECT ids FROM subtree) AS uuid[]))
                OFFSET 0)
  ORDER BY p.created_at DESC, p.id DESC
  LIMIT :limit)
UNION ALL
(SELECT id, title, slug, status, price, currency, created_at, updated_at
   FROM narrow
  ORDER BY created_at DESC, id DESC
  LIMIT :limit)
 ORDER BY created_at DESC, id DESC
 LIMIT :limit;

-- name: products_in_by_status(category_id, status, after_created_at, after_id, limit)
-- The same page restricted to one status (ACTIVE for a storefront).
WITH subtree AS (
    SELECT coalesce(array_agg(c.id), '{}') AS ids, category_subtree_is_wide(count(*)) AS wide
      FROM categories root
      JOIN categories c ON c.id = root.id OR starts_with(c.path, root.path || '/')
     WHERE root.id = :category_id
), narrow AS MATERIALIZED (
    SELECT p.id, p.title, p.slug, p.status, p.price, p.currency, p.created_at, p.updated_at
      FROM products p
     WHERE NOT (SELECT wide FROM subtree)
       AND p.id = ANY (CAST((SELECT array_agg(pc.product_id)
                               FROM product_categories pc
                              WHERE pc.category_id = ANY (CAST((SELECT ids FROM subtree) AS uuid[])))
                             AS uuid[]))
       AND p.deleted_at IS NULL
       AND p.status = :status
       AND (p.created_at, p.id) < (:after_created_at, :after_id)
)
(SELECT p.id, p.title, p.slug, p.status, p.price, p.currency, p.created_at, p.updated_at
   FROM products p
  WHERE (SELECT wide FROM subtree)
    AND p.deleted_at IS NULL
    AND p.status = :status
    AND (p.created_at, p.id) < (:after_created_at, :after_id)
    AND EXISTS (SELECT 1
                  FROM product_categories pc
                 WHERE pc.product_id = p.id
                   AND pc.category_id = ANY (CAST((SELECT ids FROM subtree) AS uuid[]))
                OFFSET 0)
  ORDER BY p.created_at DESC, p.id DESC
  LIMIT :limit)
UNION ALL
(SELECT id, title, slug, status, price, currency, created_at, updated_at
   FROM narrow
  ORDER BY created_at DESC, id DESC
  LIMIT :limit)
 ORDER BY created_at DESC, id DESC
 LIMIT :limit;
