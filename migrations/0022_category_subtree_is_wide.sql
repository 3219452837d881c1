-- Whether a category subtree is "wide": the one number behind the two branches of every
-- category listing (products.list_<sort>_in_category, categories.products_in and
-- products_in_by_status). A wide subtree (over 50 categories) is listed by walking the sort's
-- index and probing each product's categories; a narrower one by fetching its products by
-- product_categories_category_id_idx and sorting them. The categories stand in for the
-- products they hold, which no statistics count for a subtree: at about 100 products a
-- category (the benchmark catalogue), 50 categories are about 5,000 products. 50 lies between
-- the two sizes measured on the 1M catalogue, a twig (11 categories, ~1,100 products: sorted)
-- and a branch (111 categories, ~11,000 products: walked); it is not a measured crossover
-- (docs/performance.md, "Optional filters and generic plans"). A SQL function, IMMUTABLE, of
-- its argument only: the planner inlines it as count(*) > 50, so the plans are unchanged.
-- depends: 0021_products_search_query
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
CREATE FUNCTION category_subtree_is_wide(categories bigint)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT categories > 50
$$;
COMMENT ON FUNCTION category_subtree_is_wide(bigint) IS 'Whether a subtree of this many categories is listed by walking the sorted index (over 50) rather than by sorting its products.';
