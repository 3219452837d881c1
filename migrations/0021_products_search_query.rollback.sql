-- Undo 0021: products.search goes back to computing its query in a CTE.
-- squawk-ignore-file ban-drop-function -- a rollback drops exactly what its migration added
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
DROP FUNCTION products_search_query(text);
