-- The bulk writes of the seed profiles (src/shopdb/seeds/). Reference data is upserted on its
-- natural key; generated rows go in by COPY, and only those whose natural key is not there yet
-- are sent (the *_by_* lookups below say which are), so a second run writes nothing new.

-- name: lock_seeding()$
-- Serialize seed runs on this database until the transaction ends.
SELECT true AS locked FROM pg_advisory_xact_lock(hashtextextended('shopdb.seeds', 0));

-- name: upsert_roles(names, descriptions)!
-- The roles by name; a changed description is updated, an unchanged row is left alone.
INSERT INTO roles (name, description)
SELECT r.name, r.description
  FROM unnest(CAST(:names AS text[]), CAST(:descriptions AS text[])) AS r(name, description)
    ON CONFLICT (name) DO UPDATE SET description = EXCLUDED.description
 WHERE roles.description IS DISTINCT FROM EXCLUDED.description;

-- name: upsert_permissions(keys, descriptions)!
-- The permissions by key (domain:action); a changed description is updated.
INSERT INTO permissions (key, description)
SELECT p.key, p.description
  FROM unnest(CAST(:keys AS text[]), CAST(:descriptions AS text[])) AS p(key, description)
    ON CONFLICT (key) DO UPDATE SET description = EXCLUDED.description
 WHERE permissions.description IS DISTINCT FROM EXCLUDED.description;

-- name: link_role_permissions(role_names, permission_keys)!
-- Grant each (role name, permission key) pair that is not granted yet.
INSERT INTO role_permissions (role_id, permission_id)
SELECT r.id, p.id
  FROM unnest(CAST(:role_names AS text[]), CAST(:permission_keys AS text[]))
           AS l(role_name, permission_key)
  JOIN roles r ON r.name = l.role_name
  JOIN permissions p ON p.key = l.permission_key
    ON CONFLICT (role_id, permission_id) DO NOTHING;

-- name: assign_role_to_users(user_ids, role_name)!
-- Give the role to each of these users that does not hold it yet.
INSERT INTO user_roles (user_id, role_id)
SELECT u.user_id, r.id
  FROM unnest(CAST(:user_ids AS uuid[])) AS u(user_id)
  JOIN roles r ON r.name = :role_name
    ON CONFLICT (user_id, role_id) DO NOTHING;

-- name: users_by_email(emails)
-- The users whose email, in any letter case, is one of these lower-case emails.
SELECT id, email AS key
  FROM users
 WHERE lower(email) = ANY(CAST(:emails AS text[]));

-- name: copy_users#
-- Stream new users (their password hashes, never passwords).
COPY users (email, password_hash, first_name, last_name, phone) FROM STDIN;

-- name: users_with_address(user_ids)
-- Which of these users have a live address already.
SELECT DISTINCT user_id AS id
  FROM addresses
 WHERE user_id = ANY(CAST(:user_ids AS uuid[])) AND deleted_at IS NULL;

-- name: copy_addresses#
-- Stream new addresses.
COPY addresses (user_id, label, full_name, phone, line1, city, postal_code, country, is_default)
FROM STDIN;

-- name: products_by_slug(slugs)
-- The products with these slugs.
SELECT id, slug AS key
  FROM products
 WHERE slug = ANY(CAST(:slugs AS text[]));

-- name: copy_products#
-- Stream new products.
COPY products (title, slug, sku, description, summary, status, price, compare_at_price,
               currency, inventory_policy, search_keywords, attributes)
FROM STDIN;

-- name: variants_by_sku(skus)
-- The variants with these SKUs.
SELECT id, sku AS key
  FROM product_variants
 WHERE sku = ANY(CAST(:skus AS text[]));

-- name: copy_variants#
-- Stream new variants (exactly one primary per product, checked at COMMIT).
COPY product_variants (product_id, title, sku, price, compare_at_price, attributes,
                       weight_grams, is_primary)
FROM STDIN;

-- name: variants_with_inventory(variant_ids)
-- Which of these variants have their inventory row already.
SELECT product_variant_id AS id
  FROM inventory
 WHERE product_variant_id = ANY(CAST(:variant_ids AS uuid[]));

-- name: copy_inventory#
-- Stream new inventory rows.
COPY inventory (product_variant_id, quantity_on_hand, low_stock_threshold) FROM STDIN;

-- name: media_by_asset(asset_ids)
-- The media with these provider asset ids.
SELECT id, asset_id AS key
  FROM media
 WHERE asset_id = ANY(CAST(:asset_ids AS text[]));

-- name: copy_media#
-- Stream new media assets.
COPY media (asset_id, url, type, provider, mime_type, size_bytes, width, height, alt) FROM STDIN;

-- name: products_with_media(product_ids)
-- Which of these products have media linked already.
SELECT DISTINCT product_id AS id
  FROM product_media
 WHERE product_id = ANY(CAST(:product_ids AS uuid[]));

-- name: copy_product_media#
-- Stream new product-media links (one primary per product).
COPY product_media (product_id, media_id, sort_order, is_primary) FROM STDIN;

-- name: products_with_categories(product_ids)
-- Which of these products are in a category already.
SELECT DISTINCT product_id AS id
  FROM product_categories
 WHERE product_id = ANY(CAST(:product_ids AS uuid[]));

-- name: copy_product_categories#
-- Stream new product-category links (one primary per product).
COPY product_categories (product_id, category_id, is_primary) FROM STDIN;

-- name: order_by_idempotency_key(idempotency_key)^
-- The order a seeded checkout placed, by the checkout's idempotency key; None before.
SELECT id, status, version
  FROM orders
 WHERE idempotency_key = :idempotency_key;

-- name: count_rows()
-- How many rows each table the seeds write holds.
SELECT 'roles' AS table_name, count(*) AS row_count FROM roles
UNION ALL SELECT 'permissions', count(*) FROM permissions
UNION ALL SELECT 'role_permissions', count(*) FROM role_permissions
UNION ALL SELECT 'users', count(*) FROM users
UNION ALL SELECT 'user_roles', count(*) FROM user_roles
UNION ALL SELECT 'addresses', count(*) FROM addresses
UNION ALL SELECT 'categories', count(*) FROM categories
UNION ALL SELECT 'collections', count(*) FROM collections
UNION ALL SELECT 'product_collections', count(*) FROM product_collections
UNION ALL SELECT 'products', count(*) FROM products
UNION ALL SELECT 'product_variants', count(*) FROM product_variants
UNION ALL SELECT 'inventory', count(*) FROM inventory
UNION ALL SELECT 'media', count(*) FROM media
UNION ALL SELECT 'product_media', count(*) FROM product_media
UNION ALL SELECT 'product_categories', count(*) FROM product_categories
UNION ALL SELECT 'coupons', count(*) FROM coupons
UNION ALL SELECT 'carts', count(*) FROM carts
UNION ALL SELECT 'cart_items', count(*) FROM cart_items
UNION ALL SELECT 'orders', count(*) FROM orders
UNION ALL SELECT 'order_items', count(*) FROM order_items
UNION ALL SELECT 'coupon_usages', count(*) FROM coupon_usages
UNION ALL SELECT 'payments', count(*) FROM payments
UNION ALL SELECT 'reviews', count(*) FROM reviews
UNION ALL SELECT 'audit_logs', count(*) FROM audit_logs;
