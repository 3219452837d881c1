-- Validate the ownership foreign keys of 0031: a scan under SHARE UPDATE EXCLUSIVE, which
-- lets reads and writes go on (rows that break the rule make it fail: fix them, run again).
-- depends: 0031_owner_foreign_keys
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '30min';
ALTER TABLE orders VALIDATE CONSTRAINT orders_shipping_address_id_user_id_fkey;
ALTER TABLE orders VALIDATE CONSTRAINT orders_billing_address_id_user_id_fkey;
ALTER TABLE orders VALIDATE CONSTRAINT orders_cart_id_user_id_fkey;
ALTER TABLE payments VALIDATE CONSTRAINT payments_order_id_user_id_fkey;
