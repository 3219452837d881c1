-- Ownership held by the schema: an order's shipping and billing address and its cart belong
-- to the order's user, and a payment's user is its order's user. Composite foreign keys on
-- (id, user_id), against the keys of 0030. MATCH SIMPLE: a row whose user_id is NULL (its
-- user deleted) is not checked, as the single-column keys still are.
-- ON DELETE SET NULL (column), PostgreSQL 15: deleting an address or a cart clears only the
-- order's pointer, never its user_id. ON UPDATE CASCADE: when a user is deleted, carts and
-- orders lose their user_id (SET NULL of their users keys) and the rows that point at them
-- follow instead of failing the check.
-- NOT VALID: a brief lock, no scan; new and changed rows are checked at once, and 0032
-- validates the rows already there without blocking writes.
-- depends: 0030_owner_keys
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '5s';
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
