-- Undo 0017: the loop rule goes back to being kept by the categories_set_hierarchy trigger only.
-- squawk-ignore-file ban-drop-constraint -- a rollback drops exactly what its migration added
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
ALTER TABLE categories DROP CONSTRAINT categories_parent_id_cycle_check;
