-- The optional-filter form list_active used before issue 10 point 6, kept for the comparison in
-- benchmarks/catalog/test_plans.py: one statement, every filter `(:x IS NULL OR ...)`.

-- name: list_newest(category_id, collection_id, min_price, max_price, status, after_created_at, after_id, limit)
-- One keyset page of live products, newest first, after (created_at, id), filtered.
SELECT p.id, p.title, p.slug, p.sku, p.description, p.summary, p.status, p.price,
       p.compare_at_price, p.currency, p.inventory_policy, p.search_keywords,
       p.attributes, p.version, p.created_at, p.updated_at, p.deleted_at
  FROM products p
 WHERE p.deleted_at IS NULL
   AND (CAST(:status AS text) IS NULL OR p.status = :status)
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
