-- Undo 0031: drop the ownership foreign keys (the single-column keys stay).
-- squawk-ignore-file ban-drop-constraint -- a rollback drops exactly what its migration added
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '5s';
ALTER TABLE payments DROP CONSTRAINT IF EXISTS payments_order_id_user_id_fkey;
ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_cart_id_user_id_fkey;
ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_billing_address_id_user_id_fkey;
ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_shipping_address_id_user_id_fkey;
