-- Undo 0007: drop refunds, saved cards and payments.
-- squawk-ignore-file ban-drop-table -- a rollback drops exactly what its migration created
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
DROP TABLE payment_refunds;
DROP TABLE saved_cards;
DROP TABLE payments;
