-- Undo 0042: the reservations table and the cap of a cart line.
-- squawk-ignore-file ban-drop-constraint -- a rollback drops exactly what its migration added
-- squawk-ignore-file ban-drop-table -- a rollback drops exactly what its migration created
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
DROP TABLE stock_reservations;
ALTER TABLE cart_items DROP CONSTRAINT cart_items_quantity_max_check;
