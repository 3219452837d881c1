-- Undo 0032: a constraint cannot be marked NOT VALID again, so drop the ownership keys and
-- add them back as 0031 left them (NOT VALID: a brief lock each, no scan).
-- squawk-ignore-file ban-drop-constraint -- dropped only to come back as 0031 made them
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '5s';
ALTER TABLE payments DROP CONSTRAINT IF EXISTS payments_order_id_user_id_fkey;
ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_cart_id_user_id_fkey;
ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_billing_address_id_user_id_fkey;
ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_shipping_address_id_user_id_fkey;
ALTER TABLE orders
    ADD CONSTRAINT orders_shipping_address_id_user_id_fkey
    FOREIGN KEY (shipping_address_id, user_id) REFERENCES addresses (id, user_id)
    ON UPDATE CASCADE ON DELETE SET NULL (shipping_address_id) NOT VALID;
ALTER TABLE orders
    ADD CONSTRAINT orders_billing_address_id_user_id_fkey
    FOREIGN KEY (billing_address_id, user_id) REFERENCES addresses (id, user_id)
    ON UPDATE CASCADE ON DELETE SET NULL (billing_address_id) NOT VALID;
ALTER TABLE orders
    ADD CONSTRAINT orders_cart_id_user_id_fkey
    FOREIGN KEY (cart_id, user_id) REFERENCES carts (id, user_id)
    ON UPDATE CASCADE ON DELETE SET NULL (cart_id) NOT VALID;
ALTER TABLE payments
    ADD CONSTRAINT payments_order_id_user_id_fkey
    FOREIGN KEY (order_id, user_id) REFERENCES orders (id, user_id)
    ON UPDATE CASCADE ON DELETE RESTRICT NOT VALID;
