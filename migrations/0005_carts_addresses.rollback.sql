-- Undo 0005: drop addresses, cart items and carts.
-- squawk-ignore-file ban-drop-table -- a rollback drops exactly what its migration created
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
DROP TABLE addresses;
DROP TABLE cart_items;
DROP TABLE carts;
