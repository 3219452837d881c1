-- The tsquery of a search text, as a function of the text alone: products.search calls it in
-- its WHERE clause, so that the planner, which plans each search with its values, folds it to
-- a constant and estimates from search_vector's statistics how common the words are (a common
-- word: walk the newest products; a rare one: the GIN index). Computed in a CTE, as before,
-- the query was unknown to the planner. The text is split into plain words (spaces and
-- punctuation, tsquery operators included, only separate words), the words ANDed, the last
-- one a prefix; no word gives NULL, which matches nothing.
-- depends: 0020_products_price_index
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
CREATE FUNCTION products_search_query(search_text text)
RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE cardinality(t.words)
               WHEN 0 THEN NULL
               WHEN 1 THEN to_tsquery('simple'::regconfig, quote_literal(t.words[1]) || ':*')
               ELSE plainto_tsquery('simple'::regconfig, array_to_string(trim_array(t.words, 1), ' '))
                    && to_tsquery('simple'::regconfig,
                                  quote_literal(t.words[cardinality(t.words)]) || ':*')
           END
      FROM (SELECT array_remove(regexp_split_to_array(lower(left(search_text, 1000)),
                                                      '[[:space:][:punct:]]+'), '') AS words) t
$$;
COMMENT ON FUNCTION products_search_query(text) IS 'The tsquery of a search text: its words ANDed, the last a prefix; NULL without a word.';
