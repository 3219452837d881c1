-- Undo 0006: drop order items and orders.
-- squawk-ignore-file ban-drop-table -- a rollback drops exactly what its migration created
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
DROP TABLE order_items;
DROP TABLE orders;
