-- A customer's own payments: every statement carries the owner (payments.user_id, which
-- payments_order_id_user_id_fkey holds equal to the order's user, or a join to the order).

-- name: initiate(order_id, user_id, provider, conversation_id, installment, ip_address, device_id)<!
-- Record an INITIATED payment of the customer's order for its total; None unless it is theirs.
INSERT INTO payments (order_id, user_id, provider, amount, currency, conversation_id,
                      installment, ip_address, device_id)
SELECT o.id, o.user_id, :provider, o.total_amount, o.currency, :conversation_id,
       :installment, :ip_address, :device_id
  FROM orders AS o
 WHERE o.id = :order_id AND o.user_id = :user_id
RETURNING id, order_id, user_id, provider, status, transaction_id, conversation_id, amount,
          paid_price, currency, installment, card_association, card_family, bin_number,
          last_four_digits, authorized_at, settled_at, failed_at, failure_reason,
          failure_code, created_at, updated_at;

-- name: get(id, user_id)^
-- The customer's payment with this id.
SELECT id, order_id, user_id, provider, status, transaction_id, conversation_id, amount,
       paid_price, currency, installment, card_association, card_family, bin_number,
       last_four_digits, authorized_at, settled_at, failed_at, failure_reason, failure_code,
       created_at, updated_at
  FROM payments
 WHERE id = :id AND user_id = :user_id;

-- name: list_for_order(order_id, user_id)
-- The payments of the customer's order, oldest first.
SELECT id, order_id, user_id, provider, status, transaction_id, conversation_id, amount,
       paid_price, currency, installment, card_association, card_family, bin_number,
       last_four_digits, authorized_at, settled_at, failed_at, failure_reason, failure_code,
       created_at, updated_at
  FROM payments
 WHERE order_id = :order_id AND user_id = :user_id
 ORDER BY created_at, id;

-- name: list_refunds(payment_id, user_id)
-- The refunds of the customer's payment, oldest first.
SELECT r.id, r.payment_id, r.amount, r.currency, r.reason, r.status, r.refund_id,
       r.processed_at, r.created_at, r.updated_at
  FROM payment_refunds r
  JOIN payments p ON p.id = r.payment_id
 WHERE r.payment_id = :payment_id AND p.user_id = :user_id
 ORDER BY r.created_at, r.id;
