-- Undo 0018: products go back to "at most one primary variant" (the unique index of 0003).
-- squawk-ignore-file ban-drop-function -- the functions exist only for these triggers
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
DROP TRIGGER products_has_primary_variant_check ON products;
DROP TRIGGER product_variants_has_primary_check ON product_variants;
DROP TRIGGER product_variants_promote_primary ON product_variants;
DROP TRIGGER product_variants_hand_over_primary ON product_variants;
DROP FUNCTION product_variants_hand_over_primary();
DROP FUNCTION product_variants_promote_primary();
DROP FUNCTION products_check_primary_variant();
DROP FUNCTION product_variants_check_primary();
DROP FUNCTION product_variants_require_primary(uuid);
