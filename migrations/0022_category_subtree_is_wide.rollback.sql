-- Undo 0022: the category listings go back to writing count(*) > 50 themselves.
-- squawk-ignore-file ban-drop-function -- a rollback drops exactly what its migration added
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
DROP FUNCTION category_subtree_is_wide(bigint);
