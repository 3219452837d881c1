-- Undo 0016: the money rules (constraint triggers and their functions).
-- squawk-ignore-file ban-drop-function -- nothing outside this project uses them
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
DROP TRIGGER payment_refunds_within_settled_amount_check ON payment_refunds;
DROP FUNCTION payment_refunds_check_total();
DROP TRIGGER order_items_subtotal_matches_order_check ON order_items;
DROP TRIGGER orders_subtotal_matches_items_check ON orders;
DROP FUNCTION orders_check_subtotal();
DROP TRIGGER orders_total_matches_payments_check ON orders;
DROP FUNCTION orders_match_payments();
DROP TRIGGER payments_amount_matches_order_check ON payments;
DROP FUNCTION payments_match_order();
