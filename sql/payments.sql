-- Payments of orders, their refunds and the cards users saved at the provider. Amounts are
-- taken from the order in SQL (payments_amount_matches_order_check holds them there); card
-- numbers are never stored: a card is the provider's token and its last four digits.

-- name: initiate(order_id, provider, conversation_id, installment, ip_address, device_id)<!
-- Record an INITIATED payment of an order for its total, in its currency; None without order.
INSERT INTO payments (order_id, user_id, provider, amount, currency, conversation_id,
                      installment, ip_address, device_id)
SELECT o.id, o.user_id, :provider, o.total_amount, o.currency, :conversation_id,
       :installment, :ip_address, :device_id
  FROM orders AS o
 WHERE o.id = :order_id
RETURNING id, order_id, user_id, provider, status, transaction_id, conversation_id, amount,
          paid_price, currency, installment, card_association, card_family, bin_number,
          last_four_digits, authorized_at, settled_at, failed_at, failure_reason,
          failure_code, created_at, updated_at;

-- name: get(id)^
-- The payment with this id.
SELECT id, order_id, user_id, provider, status, transaction_id, conversation_id, amount,
       paid_price, currency, installment, card_association, card_family, bin_number,
       last_four_digits, authorized_at, settled_at, failed_at, failure_reason, failure_code,
       created_at, updated_at
  FROM payments
 WHERE id = :id;

-- name: find_by_transaction(provider, transaction_id)^
-- The payment of a provider's transaction (payments_transaction_id_provider_key), or None.
SELECT id, order_id, user_id, provider, status, transaction_id, conversation_id, amount,
       paid_price, currency, installment, card_association, card_family, bin_number,
       last_four_digits, authorized_at, settled_at, failed_at, failure_reason, failure_code,
       created_at, updated_at
  FROM payments
 WHERE transaction_id = :transaction_id AND provider = :provider;

-- name: list_for_order(order_id)
-- The payments of an order, oldest first.
SELECT id, order_id, user_id, provider, status, transaction_id, conversation_id, amount,
       paid_price, currency, installment, card_association, card_family, bin_number,
       last_four_digits, authorized_at, settled_at, failed_at, failure_reason, failure_code,
       created_at, updated_at
  FROM payments
 WHERE order_id = :order_id
 ORDER BY created_at, id;

-- name: lock_state(id)^
-- The money state of a payment (status, amount, settled price, refunded so far), row-locked.
SELECT p.id, p.status, p.amount, p.paid_price, p.currency,
       (SELECT coalesce(sum(r.amount), 0)
          FROM payment_refunds AS r
         WHERE r.payment_id = p.id AND r.status = 'SUCCEEDED') AS refunded
  FROM payments AS p
 WHERE p.id = :id
   FOR NO KEY UPDATE OF p;

-- name: authorize(id, transaction_id, card_token, card_association, card_family, bin_number, last_four_digits)<!
-- Move an INITIATED payment to AUTHORIZED with the provider's ids; None otherwise.
UPDATE payments
   SET status = 'AUTHORIZED', authorized_at = now(), transaction_id = :transaction_id,
       card_token = :card_token, card_association = :card_association,
       card_family = :card_family, bin_number = :bin_number,
       last_four_digits = :last_four_digits
 WHERE id = :id AND status = 'INITIATED'
RETURNING id, order_id, user_id, provider, status, transaction_id, conversation_id, amount,
          paid_price, currency, installment, card_association, card_family, bin_number,
          last_four_digits, authorized_at, settled_at, failed_at, failure_reason,
          failure_code, created_at, updated_at;

-- name: settle(id, paid_price)<!
-- Move an INITIATED or AUTHORIZED payment to SETTLED; None otherwise.
UPDATE payments
   SET status = 'SETTLED', settled_at = now(), paid_price = coalesce(:paid_price, amount)
 WHERE id = :id AND status IN ('INITIATED', 'AUTHORIZED')
RETURNING id, order_id, user_id, provider, status, transaction_id, conversation_id, amount,
          paid_price, currency, installment, card_association, card_family, bin_number,
          last_four_digits, authorized_at, settled_at, failed_at, failure_reason,
          failure_code, created_at, updated_at;

-- name: fail(id, failure_reason, failure_code)<!
-- Move an INITIATED or AUTHORIZED payment to FAILED with the provider's reason; None otherwise.
UPDATE payments
   SET status = 'FAILED', failed_at = now(), failure_reason = :failure_reason,
       failure_code = :failure_code
 WHERE id = :id AND status IN ('INITIATED', 'AUTHORIZED')
RETURNING id, order_id, user_id, provider, status, transaction_id, conversation_id, amount,
          paid_price, currency, installment, card_association, card_family, bin_number,
          last_four_digits, authorized_at, settled_at, failed_at, failure_reason,
          failure_code, created_at, updated_at;

-- name: record_refund(payment_id, amount, reason, refund_id)<!
-- Record a SUCCEEDED refund in the payment's currency; None when there is no such payment.
INSERT INTO payment_refunds (payment_id, amount, currency, reason, status, refund_id,
                             processed_at)
SELECT p.id, :amount, p.currency, :reason, 'SUCCEEDED', :refund_id, now()
  FROM payments AS p
 WHERE p.id = :payment_id
RETURNING id, payment_id, amount, currency, reason, status, refund_id, processed_at,
          created_at, updated_at;

-- name: mark_refunded(payment_id)!
-- Mark a SETTLED payment REFUNDED once its succeeded refunds add up to its amount.
UPDATE payments AS p
   SET status = 'REFUNDED'
 WHERE p.id = :payment_id
   AND p.status = 'SETTLED'
   AND p.amount = (SELECT coalesce(sum(r.amount), 0)
                     FROM payment_refunds AS r
                    WHERE r.payment_id = p.id AND r.status = 'SUCCEEDED');

-- name: list_refunds(payment_id)
-- The refunds of a payment, oldest first.
SELECT id, payment_id, amount, currency, reason, status, refund_id, processed_at,
       created_at, updated_at
  FROM payment_refunds
 WHERE payment_id = :payment_id
 ORDER BY created_at, id;

-- name: save_card(user_id, card_token, card_alias, bin_number, last_four_digits, card_type, card_association, card_family, card_bank_name, card_holder_name, expiry_month, expiry_year)<!
-- Store a card the user saved at the provider (its token, never its number).
INSERT INTO saved_cards (user_id, card_token, card_alias, bin_number, last_four_digits,
                         card_type, card_association, card_family, card_bank_name,
                         card_holder_name, expiry_month, expiry_year)
VALUES (:user_id, :card_token, :card_alias, :bin_number, :last_four_digits, :card_type,
        :card_association, :card_family, :card_bank_name, :card_holder_name,
        :expiry_month, :expiry_year)
RETURNING id, user_id, card_alias, bin_number, last_four_digits, card_type, card_association,
          card_family, card_bank_name, card_holder_name, expiry_month, expiry_year,
          is_default, created_at, updated_at;

-- name: list_cards(user_id)
-- The user's saved cards, the default first, then oldest first; tokens are not selected.
SELECT id, user_id, card_alias, bin_number, last_four_digits, card_type, card_association,
       card_family, card_bank_name, card_holder_name, expiry_month, expiry_year, is_default,
       created_at, updated_at
  FROM saved_cards
 WHERE user_id = :user_id
 ORDER BY is_default DESC, created_at, id;

-- name: delete_card(id, user_id)!
-- Remove one of the user's saved cards.
DELETE FROM saved_cards
 WHERE id = :id AND user_id = :user_id;

-- name: lock_card_owner(user_id)$
-- Serialize the default-card changes of one user until the transaction ends (an advisory lock).
SELECT true AS locked
  FROM pg_advisory_xact_lock(hashtextextended('shopdb.payments:' || CAST(:user_id AS text), 0));

-- name: clear_default_card(user_id)!
-- Unset the user's current default card, if any.
UPDATE saved_cards
   SET is_default = false
 WHERE user_id = :user_id AND is_default;

-- name: mark_default_card(id, user_id)<!
-- Make this card of the user the default; None when it is not theirs.
UPDATE saved_cards
   SET is_default = true
 WHERE id = :id AND user_id = :user_id
RETURNING id, user_id, card_alias, bin_number, last_four_digits, card_type, card_association,
          card_family, card_bank_name, card_holder_name, expiry_month, expiry_year,
          is_default, created_at, updated_at;

-- name: delete_cards_for_user(user_id)!
-- Delete every saved card of a user for an erasure.
DELETE FROM saved_cards
 WHERE user_id = :user_id;

-- name: erase_card_details_for_user(user_id)!
-- Clear the card token, BIN, last four digits, IP address and device of a user's payments for an erasure; amounts, statuses and provider ids stay.
UPDATE payments
   SET card_token = NULL, bin_number = NULL, last_four_digits = NULL, ip_address = NULL,
       device_id = NULL, three_ds_html_content = NULL
 WHERE user_id = :user_id;
