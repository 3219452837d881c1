-- Products and their variants. Reads never select search_vector. Listings and search take
-- the same optional filters (status, price range, collection, category including every
-- category below it); a NULL filter is no filter. Details (variants with their stock,
-- categories, media) are read for many products at once, so a page of N products with its
-- details is four queries whatever N. Search text is split into plain words in SQL (spaces
-- and punctuation, tsquery operators included, only separate words: nothing is parsed as
-- tsquery syntax), the words ANDed, the last one a prefix.
--
-- list_active: one statement per filter shape (docs/performance.md, "Optional filters and
-- generic plans"). The driving filter of a shape (the collection, else the category subtree,
-- else none) and the status are always bound, so a generic plan keeps the shape's index; the
-- price range is an index condition of the price sorts (unbounded: -Infinity, Infinity) and
-- an optional filter of the newest-first walk; the category of a collection shape is an
-- optional filter of the collection's rows. Every status at once (admin) has one statement
-- per sort, every filter optional.
--
-- search: never prepared (ProductRepository.planned_per_call), so each call is planned for
-- its text and filters: products_search_query(:text) folds to a constant tsquery and the
-- planner estimates from search_vector's statistics how common the words are. It ranks the
-- matches in windows of :search_window, newest (highest id) first: a common word walks
-- products_pkey backwards until a window is full, a rare one takes its matches from the GIN
-- index. A collection, or a category subtree of at most 30,000 product links, names its
-- products (listed); else the products are walked with the filters probed (walked). A page
-- that ends a full window goes on into the next one; the keyset is (window_before, rank, id).

-- name: create(title, slug, sku, description, summary, status, price, compare_at_price, currency, inventory_policy, search_keywords, attributes)<!
-- Insert a product and return it.
INSERT INTO products (title, slug, sku, description, summary, status, price, compare_at_price,
                      currency, inventory_policy, search_keywords, attributes)
VALUES (:title, :slug, :sku, :description, :summary, :status, :price, :compare_at_price,
        :currency, :inventory_policy, CAST(:search_keywords AS text[]), :attributes)
RETURNING id, title, slug, sku, description, summary, status, price, compare_at_price,
          currency, inventory_policy, search_keywords, attributes, version, created_at,
          updated_at, deleted_at;

-- name: create_variant(product_id, title, sku, price, compare_at_price, attributes, weight_grams, is_primary)<!
-- Insert a variant and return it (its inventory row is the inventory's: inventory.create).
INSERT INTO product_variants (product_id, title, sku, price, compare_at_price, attributes,
                              weight_grams, is_primary)
VALUES (:product_id, :title, :sku, :price, :compare_at_price, :attributes, :weight_grams,
        :is_primary)
RETURNING id, product_id, title, sku, price, compare_at_price, attributes, weight_grams,
          is_primary, created_at, updated_at;

-- name: link_categories(product_id, category_ids, primary_category_id)!
-- Put a product in these categories, one of them (or none) primary.
INSERT INTO product_categories (product_id, category_id, is_primary)
SELECT :product_id, c.category_id, coalesce(c.category_id = CAST(:primary_category_id AS uuid), false)
  FROM unnest(CAST(:category_ids AS uuid[])) AS c(category_id);

-- name: get(id)^
-- The product with this id, unless soft-deleted.
SELECT id, title, slug, sku, description, summary, status, price, compare_at_price,
       currency, inventory_policy, search_keywords, attributes, version, created_at,
       updated_at, deleted_at
  FROM products
 WHERE id = :id AND deleted_at IS NULL;

-- name: get_by_slug(slug)^
-- The live product with this slug.
SELECT id, title, slug, sku, description, summary, status, price, compare_at_price,
       currency, inventory_policy, search_keywords, attributes, version, created_at,
       updated_at, deleted_at
  FROM products
 WHERE slug = :slug AND deleted_at IS NULL;

-- name: find_by_sku(sku)^
-- The live product whose own sku, or one of whose variants' sku, is this one.
SELECT p.id, p.title, p.slug, p.sku, p.description, p.summary, p.status, p.price,
       p.compare_at_price, p.currency, p.inventory_policy, p.search_keywords,
       p.attributes, p.version, p.created_at, p.updated_at, p.deleted_at
  FROM products p
 WHERE p.deleted_at IS NULL
   AND (p.sku = :sku
        OR p.id = (SELECT v.product_id FROM product_variants v WHERE v.sku = :sku))
 LIMIT 1;

-- name: list_newest(min_price, max_price, status, after_created_at, after_id, limit)
-- One keyset page of live products of one status, newest first: a walk of the status's index.
SELECT p.id, p.title, p.slug, p.sku, p.description, p.summary, p.status, p.price,
       p.compare_at_price, p.currency, p.inventory_policy, p.search_keywords,
       p.attributes, p.version, p.created_at, p.updated_at, p.deleted_at
  FROM products p
 WHERE p.deleted_at IS NULL
   AND p.status = :status
   AND (CAST(:min_price AS numeric) IS NULL OR p.price >= :min_price)
   AND (CAST(:max_price AS numeric) IS NULL OR p.price <= :max_price)
   AND (p.created_at, p.id) < (:after_created_at, :after_id)
 ORDER BY p.created_at DESC, p.id DESC
 LIMIT :limit;

-- name: list_newest_in_category(category_id, min_price, max_price, status, after_created_at, after_id, limit)
-- One keyset page of one status in a category subtree, newest first (wide: walk; narrow: sort).
WITH subtree AS (
    SELECT coalesce(array_agg(c.id), '{}') AS ids, category_subtree_is_wide(count(*)) AS wide
      FROM categories root
      JOIN categories c ON c.id = root.id OR starts_with(c.path, root.path || '/')
     WHERE root.id = :category_id
), narrow AS MATERIALIZED (
    SELECT p.id, p.title, p.slug, p.sku, p.description, p.summary, p.status, p.price,
           p.compare_at_price, p.currency, p.inventory_policy, p.search_keywords,
           p.attributes, p.version, p.created_at, p.updated_at, p.deleted_at
      FROM products p
     WHERE NOT (SELECT wide FROM subtree)
       AND p.id = ANY (CAST((SELECT array_agg(pcat.product_id)
                               FROM product_categories pcat
                              WHERE pcat.category_id = ANY (CAST((SELECT ids FROM subtree) AS uuid[])))
                             AS uuid[]))
       AND p.deleted_at IS NULL
       AND p.status = :status
       AND (CAST(:min_price AS numeric) IS NULL OR p.price >= :min_price)
       AND (CAST(:max_price AS numeric) IS NULL OR p.price <= :max_price)
       AND (p.created_at, p.id) < (:after_created_at, :after_id)
)
(SELECT p.id, p.title, p.slug, p.sku, p.description, p.summary, p.status, p.price,
       p.compare_at_price, p.currency, p.inventory_policy, p.search_keywords,
       p.attributes, p.version, p.created_at, p.updated_at, p.deleted_at
  FROM products p
 WHERE (SELECT wide FROM subtree)
   AND p.deleted_at IS NULL
   AND p.status = :status
   AND (CAST(:min_price AS numeric) IS NULL OR p.price >= :min_price)
   AND (CAST(:max_price AS numeric) IS NULL OR p.price <= :max_price)
   AND (p.created_at, p.id) < (:after_created_at, :after_id)
   AND EXISTS (SELECT 1
                 FROM product_categories pcat
                WHERE pcat.product_id = p.id
                  AND pcat.category_id = ANY (CAST((SELECT ids FROM subtree) AS uuid[]))
               OFFSET 0)
 ORDER BY p.created_at DESC, p.id DESC
 LIMIT :limit)
UNION ALL
(SELECT id, title, slug, sku, description, summary, status, price,
       compare_at_price, currency, inventory_policy, search_keywords,
       attributes, version, created_at, updated_at, deleted_at
  FROM narrow
 ORDER BY created_at DESC, id DESC
 LIMIT :limit)
 ORDER BY created_at DESC, id DESC
 LIMIT :limit;

-- name: list_newest_in_collection(collection_id, category_id, min_price, max_price, status, after_created_at, after_id, limit)
-- One keyset page of live products of one status in a collection, newest first: from its members, sorted.
WITH members AS MATERIALIZED (
    SELECT p.id, p.title, p.slug, p.sku, p.description, p.summary, p.status, p.price,
           p.compare_at_price, p.currency, p.inventory_policy, p.search_keywords,
           p.attributes, p.version, p.created_at, p.updated_at, p.deleted_at
      FROM products p
     WHERE p.id = ANY (CAST((SELECT array_agg(pc.product_id)
                               FROM product_collections pc
                              WHERE pc.collection_id = :collection_id) AS uuid[]))
       AND p.deleted_at IS NULL
       AND p.status = :status
       AND (CAST(:category_id AS uuid) IS NULL OR EXISTS (
                SELECT 1
                  FROM categories root
                  JOIN categories c ON c.id = root.id OR starts_with(c.path, root.path || '/')
                  JOIN product_categories pcat ON pcat.category_id = c.id
                 WHERE root.id = :category_id AND pcat.product_id = p.id))
       AND (CAST(:min_price AS numeric) IS NULL OR p.price >= :min_price)
       AND (CAST(:max_price AS numeric) IS NULL OR p.price <= :max_price)
       AND (p.created_at, p.id) < (:after_created_at, :after_id)
)
SELECT id, title, slug, sku, description, summary, status, price,
       compare_at_price, currency, inventory_policy, search_keywords,
       attributes, version, created_at, updated_at, deleted_at
  FROM members
 ORDER BY created_at DESC, id DESC
 LIMIT :limit;

-- name: list_by_price(min_price, max_price, status, after_price, after_id, limit)
-- One keyset page of live products of one status, cheapest first: a walk of the status's index.
SELECT p.id, p.title, p.slug, p.sku, p.description, p.summary, p.status, p.price,
       p.compare_at_price, p.currency, p.inventory_policy, p.search_keywords,
       p.attributes, p.version, p.created_at, p.updated_at, p.deleted_at
  FROM products p
 WHERE p.deleted_at IS NULL
   AND p.status = :status
   AND p.price >= :min_price AND p.price <= :max_price
   AND (p.price, p.id) > (:after_price, :after_id)
 ORDER BY p.price, p.id
 LIMIT :limit;

-- name: list_by_price_in_category(category_id, min_price, max_price, status, after_price, after_id, limit)
-- One keyset page of one status in a category subtree, cheapest first (wide: walk; narrow: sort).
WITH subtree AS (
    SELECT coalesce(array_agg(c.id), '{}') AS ids, category_subtree_is_wide(count(*)) AS wide
      FROM categories root
      JOIN categories c ON c.id = root.id OR starts_with(c.path, root.path || '/')
     WHERE root.id = :category_id
), narrow AS MATERIALIZED (
    SELECT p.id, p.title, p.slug, p.sku, p.description, p.summary, p.status, p.price,
           p.compare_at_price, p.currency, p.inventory_policy, p.search_keywords,
           p.attributes, p.version, p.created_at, p.updated_at, p.deleted_at
      FROM products p
     WHERE NOT (SELECT wide FROM subtree)
       AND p.id = ANY (CAST((SELECT array_agg(pcat.product_id)
                               FROM product_categories pcat
                              WHERE pcat.category_id = ANY (CAST((SELECT ids FROM subtree) AS uuid[])))
                             AS uuid[]))
       AND p.deleted_at IS NULL
       AND p.status = :status
       AND (CAST(:min_price AS numeric) IS NULL OR p.price >= :min_price)
       AND (CAST(:max_price AS numeric) IS NULL OR p.price <= :max_price)
       AND (p.price, p.id) > (:after_price, :after_id)
)
(SELECT p.id, p.title, p.slug, p.sku, p.description, p.summary, p.status, p.price,
       p.compare_at_price, p.currency, p.inventory_policy, p.search_keywords,
       p.attributes, p.version, p.created_at, p.updated_at, p.deleted_at
  FROM products p
 WHERE (SELECT wide FROM subtree)
   AND p.deleted_at IS NULL
   AND p.status = :status
   AND p.price >= :min_price AND p.price <= :max_price
   AND (p.price, p.id) > (:after_price, :after_id)
   AND EXISTS (SELECT 1
                 FROM product_categories pcat
                WHERE pcat.product_id = p.id
                  AND pcat.category_id = ANY (CAST((SELECT ids FROM subtree) AS uuid[]))
               OFFSET 0)
 ORDER BY p.price, p.id
 LIMIT :limit)
UNION ALL
(SELECT id, title, slug, sku, description, summary, status, price,
       compare_at_price, currency, inventory_policy, search_keywords,
       attributes, version, created_at, updated_at, deleted_at
  FROM narrow
 ORDER BY price, id
 LIMIT :limit)
 ORDER BY price, id
 LIMIT :limit;

-- name: list_by_price_in_collection(collection_id, category_id, min_price, max_price, status, after_price, after_id, limit)
-- One keyset page of live products of one status in a collection, cheapest first: from its members, sorted.
WITH members AS MATERIALIZED (
    SELECT p.id, p.title, p.slug, p.sku, p.description, p.summary, p.status, p.price,
           p.compare_at_price, p.currency, p.inventory_policy, p.search_keywords,
           p.attributes, p.version, p.created_at, p.updated_at, p.deleted_at
      FROM products p
     WHERE p.id = ANY (CAST((SELECT array_agg(pc.product_id)
                               FROM product_collections pc
                              WHERE pc.collection_id = :collection_id) AS uuid[]))
       AND p.deleted_at IS NULL
       AND p.status = :status
       AND (CAST(:category_id AS uuid) IS NULL OR EXISTS (
                SELECT 1
                  FROM categories root
                  JOIN categories c ON c.id = root.id OR starts_with(c.path, root.path || '/')
                  JOIN product_categories pcat ON pcat.category_id = c.id
                 WHERE root.id = :category_id AND pcat.product_id = p.id))
       AND (CAST(:min_price AS numeric) IS NULL OR p.price >= :min_price)
       AND (CAST(:max_price AS numeric) IS NULL OR p.price <= :max_price)
       AND (p.price, p.id) > (:after_price, :after_id)
)
SELECT id, title, slug, sku, description, summary, status, price,
       compare_at_price, currency, inventory_policy, search_keywords,
       attributes, version, created_at, updated_at, deleted_at
  FROM members
 ORDER BY price, id
 LIMIT :limit;

-- name: list_by_price_desc(min_price, max_price, status, after_price, after_id, limit)
-- One keyset page of live products of one status, dearest first: a walk of the status's index.
SELECT p.id, p.title, p.slug, p.sku, p.description, p.summary, p.status, p.price,
       p.compare_at_price, p.currency, p.inventory_policy, p.search_keywords,
       p.attributes, p.version, p.created_at, p.updated_at, p.deleted_at
  FROM products p
 WHERE p.deleted_at IS NULL
   AND p.status = :status
   AND p.price >= :min_price AND p.price <= :max_price
   AND (p.price, p.id) < (:after_price, :after_id)
 ORDER BY p.price DESC, p.id DESC
 LIMIT :limit;

-- name: list_by_price_desc_in_category(category_id, min_price, max_price, status, after_price, after_id, limit)
-- One keyset page of one status in a category subtree, dearest first (wide: walk; narrow: sort).
WITH subtree AS (
    SELECT coalesce(array_agg(c.id), '{}') AS ids, category_subtree_is_wide(count(*)) AS wide
      FROM categories root
      JOIN categories c ON c.id = root.id OR starts_with(c.path, root.path || '/')
     WHERE root.id = :category_id
), narrow AS MATERIALIZED (
    SELECT p.id, p.title, p.slug, p.sku, p.description, p.summary, p.status, p.price,
           p.compare_at_price, p.currency, p.inventory_policy, p.search_keywords,
           p.attributes, p.version, p.created_at, p.updated_at, p.deleted_at
      FROM products p
     WHERE NOT (SELECT wide FROM subtree)
       AND p.id = ANY (CAST((SELECT array_agg(pcat.product_id)
                               FROM product_categories pcat
                              WHERE pcat.category_id = ANY (CAST((SELECT ids FROM subtree) AS uuid[])))
                             AS uuid[]))
       AND p.deleted_at IS NULL
       AND p.status = :status
       AND (CAST(:min_price AS numeric) IS NULL OR p.price >= :min_price)
       AND (CAST(:max_price AS numeric) IS NULL OR p.price <= :max_price)
       AND (p.price, p.id) < (:after_price, :after_id)
)
(SELECT p.id, p.title, p.slug, p.sku, p.description, p.summary, p.status, p.price,
       p.compare_at_price, p.currency, p.inventory_policy, p.search_keywords,
       p.attributes, p.version, p.created_at, p.updated_at, p.deleted_at
  FROM products p
 WHERE (SELECT wide FROM subtree)
   AND p.deleted_at IS NULL
   AND p.status = :status
   AND p.price >= :min_price AND p.price <= :max_price
   AND (p.price, p.id) < (:after_price, :after_id)
   AND EXISTS (SELECT 1
                 FROM product_categories pcat
                WHERE pcat.product_id = p.id
                  AND pcat.category_id = ANY (CAST((SELECT ids FROM subtree) AS uuid[]))
               OFFSET 0)
 ORDER BY p.price DESC, p.id DESC
 LIMIT :limit)
UNION ALL
(SELECT id, title, slug, sku, description, summary, status, price,
       compare_at_price, currency, inventory_policy, search_keywords,
       attributes, version, created_at, updated_at, deleted_at
  FROM narrow
 ORDER BY price DESC, id DESC
 LIMIT :limit)
 ORDER BY price DESC, id DESC
 LIMIT :limit;

-- name: list_by_price_desc_in_collection(collection_id, category_id, min_price, max_price, status, after_price, after_id, limit)
-- One keyset page of live products of one status in a collection, dearest first: from its members, sorted.
WITH members AS MATERIALIZED (
    SELECT p.id, p.title, p.slug, p.sku, p.description, p.summary, p.status, p.price,
           p.compare_at_price, p.currency, p.inventory_policy, p.search_keywords,
           p.attributes, p.version, p.created_at, p.updated_at, p.deleted_at
      FROM products p
     WHERE p.id = ANY (CAST((SELECT array_agg(pc.product_id)
                               FROM product_collections pc
                              WHERE pc.collection_id = :collection_id) AS uuid[]))
       AND p.deleted_at IS NULL
       AND p.status = :status
       AND (CAST(:category_id AS uuid) IS NULL OR EXISTS (
                SELECT 1
                  FROM categories root
                  JOIN categories c ON c.id = root.id OR starts_with(c.path, root.path || '/')
                  JOIN product_categories pcat ON pcat.category_id = c.id
                 WHERE root.id = :category_id AND pcat.product_id = p.id))
       AND (CAST(:min_price AS numeric) IS NULL OR p.price >= :min_price)
       AND (CAST(:max_price AS numeric) IS NULL OR p.price <= :max_price)
       AND (p.price, p.id) < (:after_price, :after_id)
)
SELECT id, title, slug, sku, description, summary, status, price,
       compare_at_price, currency, inventory_policy, search_keywords,
       attributes, version, created_at, updated_at, deleted_at
  FROM members
 ORDER BY price DESC, id DESC
 LIMIT :limit;

-- name: list_newest_any_status(category_id, collection_id, min_price, max_price, after_created_at, after_id, limit)
-- One keyset page of live products of every status (admin), newest first; sorted in memory.
SELECT p.id, p.title, p.slug, p.sku, p.description, p.summary, p.status, p.price,
       p.compare_at_price, p.currency, p.inventory_policy, p.search_keywords,
       p.attributes, p.version, p.created_at, p.updated_at, p.deleted_at
  FROM products p
 WHERE p.deleted_at IS NULL
   AND (CAST(:min_price AS numeric) IS NULL OR p.price >= :min_price)
   AND (CAST(:max_price AS numeric) IS NULL OR p.price <= :max_price)
   AND (CAST(:collection_id AS uuid) IS NULL OR EXISTS (
            SELECT 1
              FROM product_collections pc
             WHERE pc.product_id = p.id AND pc.collection_id = :collection_id))
   AND (CAST(:category_id AS uuid) IS NULL OR EXISTS (
            SELECT 1
              FROM categories root
              JOIN categories c ON c.id = root.id OR starts_with(c.path, root.path || '/')
              JOIN product_categories pcat ON pcat.category_id = c.id
             WHERE root.id = :category_id AND pcat.product_id = p.id))
   AND (p.created_at, p.id) < (:after_created_at, :after_id)
 ORDER BY p.created_at DESC, p.id DESC
 LIMIT :limit;

-- name: list_by_price_any_status(category_id, collection_id, min_price, max_price, after_price, after_id, limit)
-- One keyset page of live products of every status (admin), cheapest first; sorted in memory.
SELECT p.id, p.title, p.slug, p.sku, p.description, p.summary, p.status, p.price,
       p.compare_at_price, p.currency, p.inventory_policy, p.search_keywords,
       p.attributes, p.version, p.created_at, p.updated_at, p.deleted_at
  FROM products p
 WHERE p.deleted_at IS NULL
   AND (CAST(:min_price AS numeric) IS NULL OR p.price >= :min_price)
   AND (CAST(:max_price AS numeric) IS NULL OR p.price <= :max_price)
   AND (CAST(:collection_id AS uuid) IS NULL OR EXISTS (
            SELECT 1
              FROM product_collections pc
             WHERE pc.product_id = p.id AND pc.collection_id = :collection_id))
   AND (CAST(:category_id AS uuid) IS NULL OR EXISTS (
            SELECT 1
              FROM categories root
              JOIN categories c ON c.id = root.id OR starts_with(c.path, root.path || '/')
              JOIN product_categories pcat ON pcat.category_id = c.id
             WHERE root.id = :category_id AND pcat.product_id = p.id))
   AND (p.price, p.id) > (:after_price, :after_id)
 ORDER BY p.price, p.id
 LIMIT :limit;

-- name: list_by_price_desc_any_status(category_id, collection_id, min_price, max_price, after_price, after_id, limit)
-- One keyset page of live products of every status (admin), dearest first; sorted in memory.
SELECT p.id, p.title, p.slug, p.sku, p.description, p.summary, p.status, p.price,
       p.compare_at_price, p.currency, p.inventory_policy, p.search_keywords,
       p.attributes, p.version, p.created_at, p.updated_at, p.deleted_at
  FROM products p
 WHERE p.deleted_at IS NULL
   AND (CAST(:min_price AS numeric) IS NULL OR p.price >= :min_price)
   AND (CAST(:max_price AS numeric) IS NULL OR p.price <= :max_price)
   AND (CAST(:collection_id AS uuid) IS NULL OR EXISTS (
            SELECT 1
              FROM product_collections pc
             WHERE pc.product_id = p.id AND pc.collection_id = :collection_id))
   AND (CAST(:category_id AS uuid) IS NULL OR EXISTS (
            SELECT 1
              FROM categories root
              JOIN categories c ON c.id = root.id OR starts_with(c.path, root.path || '/')
              JOIN product_categories pcat ON pcat.category_id = c.id
             WHERE root.id = :category_id AND pcat.product_id = p.id))
   AND (p.price, p.id) < (:after_price, :after_id)
 ORDER BY p.price DESC, p.id DESC
 LIMIT :limit;

-- name: count_page(category_id, collection_id, min_price, max_price, status)$
-- How many live products pass the filters (the total of list_page).
SELECT count(*)
  FROM products p
 WHERE p.deleted_at IS NULL
   AND (CAST(:status AS text) IS NULL OR p.status = :status)
   AND (CAST(:min_price AS numeric) IS NULL OR p.price >= :min_price)
   AND (CAST(:max_price AS numeric) IS NULL OR p.price <= :max_price)
   AND (CAST(:collection_id AS uuid) IS NULL
        OR p.id = ANY (CAST((SELECT array_agg(pc.product_id)
                               FROM product_collections pc
                              WHERE pc.collection_id = :collection_id) AS uuid[])))
   AND (CAST(:category_id AS uuid) IS NULL
        OR p.id = ANY (CAST((SELECT array_agg(pcat.product_id)
                               FROM categories root
                               JOIN categories c ON c.id = root.id OR starts_with(c.path, root.path || '/')
                               JOIN product_categories pcat ON pcat.category_id = c.id
                              WHERE root.id = :category_id) AS uuid[])));

-- name: list_page(category_id, collection_id, min_price, max_price, status, limit, offset)
-- One offset page of live products, newest first, filtered (admin screens).
SELECT p.id, p.title, p.slug, p.sku, p.description, p.summary, p.status, p.price,
       p.compare_at_price, p.currency, p.inventory_policy, p.search_keywords,
       p.attributes, p.version, p.created_at, p.updated_at, p.deleted_at
  FROM products p
 WHERE p.deleted_at IS NULL
   AND (CAST(:status AS text) IS NULL OR p.status = :status)
   AND (CAST(:min_price AS numeric) IS NULL OR p.price >= :min_price)
   AND (CAST(:max_price AS numeric) IS NULL OR p.price <= :max_price)
   AND (CAST(:collection_id AS uuid) IS NULL
        OR p.id = ANY (CAST((SELECT array_agg(pc.product_id)
                               FROM product_collections pc
                              WHERE pc.collection_id = :collection_id) AS uuid[])))
   AND (CAST(:category_id AS uuid) IS NULL
        OR p.id = ANY (CAST((SELECT array_agg(pcat.product_id)
                               FROM categories root
                               JOIN categories c ON c.id = root.id OR starts_with(c.path, root.path || '/')
                               JOIN product_categories pcat ON pcat.category_id = c.id
                              WHERE root.id = :category_id) AS uuid[])))
 ORDER BY p.created_at DESC, p.id DESC
 LIMIT :limit OFFSET :offset;

-- name: search(text, category_id, collection_id, min_price, max_price, status, search_window, after_window_before, after_rank, after_id, limit)
-- Full-text search of live products (the last word a prefix), filtered, ranked in windows of the newest matches.
WITH subtree AS (
    SELECT coalesce(array_agg(c.id), '{}') AS ids
      FROM categories root
      JOIN categories c ON c.id = root.id OR starts_with(c.path, root.path || '/')
     WHERE root.id = :category_id
), driven AS (
    SELECT CASE WHEN CAST(:collection_id AS uuid) IS NOT NULL
                THEN (SELECT coalesce(array_agg(pc.product_id), '{}')
                        FROM product_collections pc
                       WHERE pc.collection_id = :collection_id)
                WHEN CAST(:category_id AS uuid) IS NOT NULL
                THEN (SELECT CASE WHEN count(*) <= 30000 THEN coalesce(array_agg(pcat.product_id), '{}') END
                        FROM product_categories pcat
                       WHERE pcat.category_id = ANY (t.ids))
           END AS ids
      FROM subtree t
), filtered AS NOT MATERIALIZED (
    SELECT p.id, p.search_vector
      FROM products p
     WHERE p.deleted_at IS NULL
       AND p.search_vector @@ products_search_query(:text)
       AND (CAST(:status AS text) IS NULL OR p.status = :status)
       AND (CAST(:min_price AS numeric) IS NULL OR p.price >= :min_price)
       AND (CAST(:max_price AS numeric) IS NULL OR p.price <= :max_price)
       AND (CAST(:collection_id AS uuid) IS NULL OR EXISTS (
                SELECT 1
                  FROM product_collections pc
                 WHERE pc.product_id = p.id AND pc.collection_id = :collection_id))
       AND (CAST(:category_id AS uuid) IS NULL OR EXISTS (
                SELECT 1
                  FROM product_categories pcat
                 WHERE pcat.product_id = p.id
                   AND pcat.category_id = ANY (CAST((SELECT t.ids FROM subtree t) AS uuid[]))))
), walked AS NOT MATERIALIZED (
    SELECT f.id, f.search_vector FROM filtered f WHERE (SELECT d.ids IS NULL FROM driven d)
), listed AS NOT MATERIALIZED (
    SELECT f.id, f.search_vector
      FROM filtered f
     WHERE f.id = ANY (CAST((SELECT d.ids FROM driven d) AS uuid[]))
), this_window AS MATERIALIZED (
    SELECT m.id, coalesce(round(CAST(ts_rank(m.search_vector, products_search_query(:text)) AS numeric), 6), 0) AS rank
      FROM ((SELECT w.id, w.search_vector FROM walked w
              WHERE w.id < :after_window_before
              ORDER BY w.id DESC LIMIT :search_window)
            UNION ALL
            (SELECT l.id, l.search_vector FROM listed l
              WHERE l.id < :after_window_before
              ORDER BY l.id DESC LIMIT :search_window)) m
     ORDER BY m.id DESC
     LIMIT :search_window
), this_window_rows AS MATERIALIZED (
    SELECT w.id, w.rank, CAST(:after_window_before AS uuid) AS window_before
      FROM this_window w
     WHERE (w.rank, w.id) < (:after_rank, :after_id)
     ORDER BY w.rank DESC, w.id DESC
     LIMIT :limit
), window_end AS (
    SELECT w.id FROM this_window w ORDER BY w.id LIMIT 1
), next_window AS MATERIALIZED (
    SELECT m.id, coalesce(round(CAST(ts_rank(m.search_vector, products_search_query(:text)) AS numeric), 6), 0) AS rank
      FROM ((SELECT w.id, w.search_vector FROM walked w
              WHERE w.id < (SELECT e.id FROM window_end e)
                AND (SELECT count(*) FROM this_window) = :search_window
                AND (SELECT count(*) FROM this_window_rows) < :limit
              ORDER BY w.id DESC LIMIT :search_window)
            UNION ALL
            (SELECT l.id, l.search_vector FROM listed l
              WHERE l.id < (SELECT e.id FROM window_end e)
                AND (SELECT count(*) FROM this_window) = :search_window
                AND (SELECT count(*) FROM this_window_rows) < :limit
              ORDER BY l.id DESC LIMIT :search_window)) m
     ORDER BY m.id DESC
     LIMIT :search_window
), hits AS (
    SELECT id, rank, window_before FROM this_window_rows
    UNION ALL
    (SELECT n.id, n.rank, e.id
       FROM next_window n
      CROSS JOIN window_end e
      ORDER BY n.rank DESC, n.id DESC
      LIMIT :limit)
)
SELECT p.id, p.title, p.slug, p.sku, p.description, p.summary, p.status, p.price,
       p.compare_at_price, p.currency, p.inventory_policy, p.search_keywords, p.attributes,
       p.version, p.created_at, p.updated_at, p.deleted_at,
       h.rank, coalesce(h.window_before, 'ffffffff-ffff-ffff-ffff-ffffffffffff') AS window_before
  FROM hits h
  JOIN products p ON p.id = h.id
 ORDER BY h.window_before DESC, h.rank DESC, h.id DESC
 LIMIT :limit;

-- name: update(id, expected_version, set_title, title, set_slug, slug, set_sku, sku, set_description, description, set_summary, summary, set_status, status, set_compare_at_price, compare_at_price, set_inventory_policy, inventory_policy, set_search_keywords, search_keywords, set_attributes, attributes)<!
-- Change the fields whose set_ flag is true, if the live product is at the expected version.
UPDATE products
   SET title            = CASE WHEN :set_title            THEN :title            ELSE title            END,
       slug             = CASE WHEN :set_slug             THEN :slug             ELSE slug             END,
       sku              = CASE WHEN :set_sku              THEN :sku              ELSE sku              END,
       description      = CASE WHEN :set_description      THEN :description      ELSE description      END,
       summary          = CASE WHEN :set_summary          THEN :summary          ELSE summary          END,
       status           = CASE WHEN :set_status           THEN :status           ELSE status           END,
       compare_at_price = CASE WHEN :set_compare_at_price THEN :compare_at_price ELSE compare_at_price END,
       inventory_policy = CASE WHEN :set_inventory_policy THEN :inventory_policy ELSE inventory_policy END,
       search_keywords  = CASE WHEN :set_search_keywords  THEN CAST(:search_keywords AS text[])
                               ELSE search_keywords END,
       attributes       = CASE WHEN :set_attributes       THEN :attributes       ELSE attributes       END,
       version          = next_version(version, :expected_version)
 WHERE id = :id AND deleted_at IS NULL
RETURNING id, title, slug, sku, description, summary, status, price, compare_at_price,
          currency, inventory_policy, search_keywords, attributes, version, created_at,
          updated_at, deleted_at;

-- name: archive(id, expected_version)<!
-- Set a live product ARCHIVED (hidden from shoppers) if it is at the expected version.
UPDATE products
   SET status  = 'ARCHIVED',
       version = next_version(version, :expected_version)
 WHERE id = :id AND deleted_at IS NULL
RETURNING id, title, slug, sku, description, summary, status, price, compare_at_price,
          currency, inventory_policy, search_keywords, attributes, version, created_at,
          updated_at, deleted_at;

-- name: soft_delete(id)!
-- Mark a live product deleted; touches no row when it is absent or already deleted.
UPDATE products
   SET deleted_at = now(),
       version    = version + 1
 WHERE id = :id AND deleted_at IS NULL;

-- name: restore(id)<!
-- Bring a soft-deleted product back; None when there is no such deleted product.
UPDATE products
   SET deleted_at = NULL,
       version    = version + 1
 WHERE id = :id AND deleted_at IS NOT NULL
RETURNING id, title, slug, sku, description, summary, status, price, compare_at_price,
          currency, inventory_policy, search_keywords, attributes, version, created_at,
          updated_at, deleted_at;

-- name: variants_for(product_ids)
-- The variants of these products with their stock, primary first, then oldest first.
SELECT v.id, v.product_id, v.title, v.sku, v.price, v.compare_at_price, v.attributes,
       v.weight_grams, v.is_primary, v.created_at, v.updated_at,
       i.quantity_on_hand, i.quantity_reserved, i.quantity_available
  FROM product_variants v
  LEFT JOIN inventory i ON i.product_variant_id = v.id
 WHERE v.product_id = ANY (CAST(:product_ids AS uuid[]))
 ORDER BY v.product_id, v.is_primary DESC, v.created_at, v.id;

-- name: categories_for(product_ids)
-- The categories of these products, primary first, then by path.
SELECT pc.product_id, c.id AS category_id, c.name, c.slug, c.path, pc.is_primary
  FROM product_categories pc
  JOIN categories c ON c.id = pc.category_id
 WHERE pc.product_id = ANY (CAST(:product_ids AS uuid[]))
 ORDER BY pc.product_id, pc.is_primary DESC, c.path;

-- name: media_for(product_ids)
-- The media of these products in display order.
SELECT pm.product_id, m.id AS media_id, m.url, m.type, m.alt, pm.sort_order, pm.is_primary
  FROM product_media pm
  JOIN media m ON m.id = pm.media_id
 WHERE pm.product_id = ANY (CAST(:product_ids AS uuid[]))
 ORDER BY pm.product_id, pm.sort_order, m.id;

-- name: get_variant(id)^
-- The variant with this id.
SELECT id, product_id, title, sku, price, compare_at_price, attributes, weight_grams,
       is_primary, created_at, updated_at
  FROM product_variants
 WHERE id = :id;

-- name: lock_variant_price(id)^
-- The price of the variant with this id, row-locked until the end of the transaction.
SELECT id, product_id, price
  FROM product_variants
 WHERE id = :id
   FOR NO KEY UPDATE;

-- name: update_variant(id, set_title, title, set_price, price, set_compare_at_price, compare_at_price, set_attributes, attributes, set_weight_grams, weight_grams, set_is_primary, is_primary)<!
-- Change the fields whose set_ flag is true; promoting hands the primary role over (0014).
UPDATE product_variants
   SET title            = CASE WHEN :set_title            THEN :title            ELSE title            END,
       price            = CASE WHEN :set_price            THEN :price            ELSE price            END,
       compare_at_price = CASE WHEN :set_compare_at_price THEN :compare_at_price ELSE compare_at_price END,
       attributes       = CASE WHEN :set_attributes       THEN :attributes       ELSE attributes       END,
       weight_grams     = CASE WHEN :set_weight_grams     THEN :weight_grams     ELSE weight_grams     END,
       is_primary       = CASE WHEN :set_is_primary       THEN :is_primary       ELSE is_primary       END
 WHERE id = :id
RETURNING id, product_id, title, sku, price, compare_at_price, attributes, weight_grams,
          is_primary, created_at, updated_at;

-- name: delete_variant(id)!
-- Delete a variant (and its inventory row); a deleted primary hands over to the oldest other.
DELETE FROM product_variants
 WHERE id = :id;

-- name: lock_price(id)^
-- The price of the live product with this id, row-locked until the end of the transaction.
SELECT id, price, currency
  FROM products
 WHERE id = :id AND deleted_at IS NULL
   FOR NO KEY UPDATE;

-- name: change_price(id, price, expected_version)<!
-- Set the price of a live product if it is at the expected version.
UPDATE products
   SET price   = :price,
       version = next_version(version, :expected_version)
 WHERE id = :id AND deleted_at IS NULL
RETURNING id, title, slug, sku, description, summary, status, price, compare_at_price,
          currency, inventory_policy, search_keywords, attributes, version, created_at,
          updated_at, deleted_at;

-- name: products_of_variants(variant_ids)
-- The product of each of these variants (the cache bumps a product's entries on a stock write).
SELECT id AS variant_id, product_id
  FROM product_variants
 WHERE id = ANY (CAST(:variant_ids AS uuid[]));
