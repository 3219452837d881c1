-- The money rules of seed 003 section 9.3 that the database can hold:
--   * a payment's amount and currency are its order's total and currency, and an order's
--     total cannot move away from its live (not FAILED) payments;
--   * an order's subtotal is the sum of its items (quantity * unit_price), checked at COMMIT
--     so that an order and its items can be written in any order inside one transaction;
--   * the refunds of a payment (those not FAILED) never add up to more than its settled
--     amount (its amount once SETTLED or REFUNDED, nothing before), also under concurrent
--     refunds: each refund first bumps the payment row's version, so a concurrent refund
--     waits for it and then sees it (READ COMMITTED), or fails with 40001 (REPEATABLE READ,
--     SERIALIZABLE) and is retried.
-- Constraint triggers, so that each rule has a name in pg_constraint and its violation is
-- SQLSTATE 23514 naming it. Like NOT VALID checks, they judge new writes only: rows already
-- stored are not re-checked (no scan, no long lock).
-- depends: 0013_api_keys
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

CREATE FUNCTION payments_match_order() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  order_total    numeric(12,2);
  order_currency text;
BEGIN
  -- FOR SHARE: an UPDATE of the order's total waits for this payment's transaction, and then
  -- sees the payment (orders_total_matches_payments_check).
  SELECT total_amount, currency INTO order_total, order_currency
    FROM orders WHERE id = NEW.order_id FOR SHARE;
  IF NEW.amount <> order_total OR NEW.currency <> order_currency THEN
    -- No values in the message: server logs keep it.
    RAISE EXCEPTION 'a payment''s amount and currency must be its order''s total and currency'
      USING ERRCODE = 'check_violation', CONSTRAINT = 'payments_amount_matches_order_check',
            TABLE = 'payments';
  END IF;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION payments_match_order() IS 'Constraint trigger: a payment''s amount and currency equal its order''s total and currency.';
CREATE CONSTRAINT TRIGGER payments_amount_matches_order_check
    AFTER INSERT OR UPDATE OF amount, currency, order_id ON payments
    FOR EACH ROW EXECUTE FUNCTION payments_match_order();

CREATE FUNCTION orders_match_payments() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM payments
              WHERE order_id = NEW.id AND status <> 'FAILED'
                AND (amount <> NEW.total_amount OR currency <> NEW.currency)) THEN
    RAISE EXCEPTION 'an order''s total and currency cannot change under its payments'
      USING ERRCODE = 'check_violation', CONSTRAINT = 'orders_total_matches_payments_check',
            TABLE = 'orders';
  END IF;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION orders_match_payments() IS 'Constraint trigger: an order''s total and currency stay those of its payments that are not FAILED.';
CREATE CONSTRAINT TRIGGER orders_total_matches_payments_check
    AFTER UPDATE OF total_amount, currency ON orders
    FOR EACH ROW EXECUTE FUNCTION orders_match_payments();

CREATE FUNCTION orders_check_subtotal() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  targets  uuid[];
  target   uuid;
  subtotal numeric(12,2);
  items    numeric;
BEGIN
  -- Separate statements: NEW of orders has no order_id, NEW of a DELETE is NULL.
  IF TG_TABLE_NAME = 'orders' THEN
    targets := ARRAY[NEW.id];
  ELSIF TG_OP = 'INSERT' THEN
    targets := ARRAY[NEW.order_id];
  ELSIF TG_OP = 'DELETE' THEN
    targets := ARRAY[OLD.order_id];
  ELSE
    targets := ARRAY[OLD.order_id, NEW.order_id];
  END IF;
  FOREACH target IN ARRAY targets
  LOOP
    SELECT o.subtotal_amount INTO subtotal FROM orders AS o WHERE o.id = target;
    IF FOUND THEN  -- an order deleted with its items has nothing left to check
      SELECT coalesce(sum(i.quantity * i.unit_price), 0) INTO items
        FROM order_items AS i WHERE i.order_id = target;
      IF subtotal <> items THEN
        RAISE EXCEPTION 'an order''s subtotal must be the sum of its items'
          USING ERRCODE = 'check_violation', CONSTRAINT = 'orders_subtotal_matches_items_check',
                TABLE = 'orders';
      END IF;
    END IF;
  END LOOP;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION orders_check_subtotal() IS 'Deferred constraint trigger: orders.subtotal_amount = sum(quantity * unit_price) of its items, at COMMIT.';
CREATE CONSTRAINT TRIGGER orders_subtotal_matches_items_check
    AFTER INSERT OR UPDATE OF subtotal_amount ON orders
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION orders_check_subtotal();
CREATE CONSTRAINT TRIGGER order_items_subtotal_matches_order_check
    AFTER INSERT OR DELETE OR UPDATE OF quantity, unit_price, order_id ON order_items
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION orders_check_subtotal();

CREATE FUNCTION payment_refunds_check_total() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  settled  numeric(12,2);
  refunded numeric;
BEGIN
  IF NEW.status = 'FAILED' THEN
    RETURN NULL;  -- a failed refund gave nothing back
  END IF;
  -- A no-op UPDATE, not FOR UPDATE: it writes a new row version, which a concurrent refund
  -- under REPEATABLE READ cannot lock without 40001, and under READ COMMITTED waits for,
  -- after which the sum below (a new statement, a new snapshot) includes this refund.
  UPDATE payments SET status = status WHERE id = NEW.payment_id
  RETURNING CASE WHEN status IN ('SETTLED', 'REFUNDED') THEN amount ELSE 0 END INTO settled;
  SELECT coalesce(sum(r.amount), 0) INTO refunded
    FROM payment_refunds AS r
   WHERE r.payment_id = NEW.payment_id AND r.status <> 'FAILED';
  IF refunded > settled THEN
    RAISE EXCEPTION 'the refunds of a payment cannot exceed its settled amount'
      USING ERRCODE = 'check_violation',
            CONSTRAINT = 'payment_refunds_within_settled_amount_check',
            TABLE = 'payment_refunds';
  END IF;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION payment_refunds_check_total() IS 'Constraint trigger: the refunds of a payment that are not FAILED add up to at most its settled amount, under concurrency too.';
CREATE CONSTRAINT TRIGGER payment_refunds_within_settled_amount_check
    AFTER INSERT OR UPDATE OF amount, status, payment_id ON payment_refunds
    FOR EACH ROW EXECUTE FUNCTION payment_refunds_check_total();
