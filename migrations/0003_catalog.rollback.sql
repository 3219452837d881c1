-- Undo 0003: drop the catalog tables, then their functions.
-- squawk-ignore-file ban-drop-table -- a rollback drops exactly what its migration created
-- squawk-ignore-file ban-drop-function -- the functions exist only for these tables
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
DROP TABLE inventory;
DROP TABLE product_collections;
DROP TABLE collections;
DROP TABLE product_categories;
DROP TABLE product_variants;
DROP TABLE products;
DROP FUNCTION products_search_document(text, text, text, text[]);
DROP TABLE categories;
DROP FUNCTION categories_cascade_path();
DROP FUNCTION categories_set_hierarchy();
DROP FUNCTION categories_lock_hierarchy();
DROP TABLE category_tree_version;
