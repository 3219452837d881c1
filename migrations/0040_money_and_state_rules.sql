-- Issue 23 ("Trust"), the rules of money and of the state machines that the database holds,
-- so that they hold against plain SQL too:
--   * a SETTLED (or REFUNDED) payment was paid exactly its amount (paid_price = amount);
--   * a new payment is for a PENDING order;
--   * the order and payment statuses move only along their state machines (a trigger names
--     both statuses of a refused change);
--   * money columns refuse NaN (numeric(12,2) already refuses infinity: "numeric field
--     overflow"), and NaN >= 0 is true in PostgreSQL, so the >= 0 checks never caught it;
--   * audit_logs is append-only: UPDATE and DELETE are refused, except the foreign key's
--     SET NULL of a deleted user and the move of rows out of the default partition by
--     audit_logs_create_partitions(); retention drops whole partitions.
-- Checks are added NOT VALID (no scan, a brief lock: written as if each table held 10M rows);
-- they judge every write from now on. Rows stored before keep whatever they were.
-- depends: 0022_category_subtree_is_wide
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

ALTER TABLE payments ADD CONSTRAINT payments_settled_paid_price_check
    CHECK (status NOT IN ('SETTLED', 'REFUNDED') OR paid_price IS NOT DISTINCT FROM amount) NOT VALID;

ALTER TABLE products ADD CONSTRAINT products_money_finite_check
    CHECK (price <> 'NaN' AND compare_at_price <> 'NaN') NOT VALID;
ALTER TABLE product_variants ADD CONSTRAINT product_variants_money_finite_check
    CHECK (price <> 'NaN' AND compare_at_price <> 'NaN') NOT VALID;
ALTER TABLE cart_items ADD CONSTRAINT cart_items_money_finite_check
    CHECK (unit_price <> 'NaN') NOT VALID;
ALTER TABLE orders ADD CONSTRAINT orders_money_finite_check
    CHECK (total_amount <> 'NaN' AND subtotal_amount <> 'NaN' AND tax_amount <> 'NaN'
           AND discount_amount <> 'NaN') NOT VALID;
ALTER TABLE order_items ADD CONSTRAINT order_items_money_finite_check
    CHECK (unit_price <> 'NaN') NOT VALID;
ALTER TABLE payments ADD CONSTRAINT payments_money_finite_check
    CHECK (amount <> 'NaN' AND paid_price <> 'NaN') NOT VALID;
ALTER TABLE payment_refunds ADD CONSTRAINT payment_refunds_money_finite_check
    CHECK (amount <> 'NaN') NOT VALID;
ALTER TABLE coupons ADD CONSTRAINT coupons_money_finite_check
    CHECK (value <> 'NaN' AND min_order_amount <> 'NaN' AND max_discount_amount <> 'NaN') NOT VALID;
ALTER TABLE coupon_usages ADD CONSTRAINT coupon_usages_money_finite_check
    CHECK (discount_amount <> 'NaN') NOT VALID;

CREATE FUNCTION payments_check_order_pending() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- FOR SHARE: a status change of the order (FOR NO KEY UPDATE) waits for this payment's
  -- transaction, and this insert waits for a status change under way.
  PERFORM 1 FROM orders WHERE id = NEW.order_id AND status = 'PENDING' FOR SHARE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'a new payment is for a PENDING order'
      USING ERRCODE = 'check_violation', CONSTRAINT = 'payments_order_pending_check',
            TABLE = 'payments';
  END IF;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION payments_check_order_pending() IS 'Constraint trigger: a payment is inserted only for a PENDING order.';
CREATE CONSTRAINT TRIGGER payments_order_pending_check
    AFTER INSERT ON payments
    FOR EACH ROW EXECUTE FUNCTION payments_check_order_pending();

CREATE FUNCTION orders_check_status_transition() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF (OLD.status, NEW.status) NOT IN (('PENDING', 'PAID'), ('PENDING', 'CANCELLED'),
                                      ('PAID', 'FULFILLED'), ('PAID', 'CANCELLED'),
                                      ('FULFILLED', 'SHIPPED'), ('SHIPPED', 'DELIVERED')) THEN
    RAISE EXCEPTION 'order status % -> % is not a step of the order state machine',
                    OLD.status, NEW.status
      USING ERRCODE = 'check_violation', CONSTRAINT = 'orders_status_transition_check',
            TABLE = 'orders', COLUMN = 'status';
  END IF;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION orders_check_status_transition() IS 'Constraint trigger: an order''s status moves only along the order state machine (models/orders.py TRANSITIONS).';
CREATE CONSTRAINT TRIGGER orders_status_transition_check
    AFTER UPDATE OF status ON orders
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION orders_check_status_transition();

CREATE FUNCTION payments_check_status_transition() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF (OLD.status, NEW.status) NOT IN (('INITIATED', 'AUTHORIZED'), ('INITIATED', 'SETTLED'),
                                      ('AUTHORIZED', 'SETTLED'), ('INITIATED', 'FAILED'),
                                      ('AUTHORIZED', 'FAILED'), ('SETTLED', 'REFUNDED')) THEN
    RAISE EXCEPTION 'payment status % -> % is not a step of the payment state machine',
                    OLD.status, NEW.status
      USING ERRCODE = 'check_violation', CONSTRAINT = 'payments_status_transition_check',
            TABLE = 'payments', COLUMN = 'status';
  END IF;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION payments_check_status_transition() IS 'Constraint trigger: a payment''s status moves only along the payment state machine (models/payments.py PaymentStatus).';
CREATE CONSTRAINT TRIGGER payments_status_transition_check
    AFTER UPDATE OF status ON payments
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION payments_check_status_transition();

CREATE FUNCTION audit_logs_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.user_id IS NULL
     AND to_jsonb(NEW) - 'user_id' - 'updated_at' = to_jsonb(OLD) - 'user_id' - 'updated_at' THEN
    RETURN NEW;  -- the foreign key's ON DELETE SET NULL: the entry stays, its user went
  END IF;
  IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'audit_logs_default'
     AND current_setting('shopdb.audit_logs_moving', true) = 'on' THEN
    RETURN OLD;  -- audit_logs_create_partitions() moving rows into their new month
  END IF;
  RAISE EXCEPTION 'audit_logs is append-only: % is refused (retention drops whole partitions)', TG_OP
    USING ERRCODE = 'check_violation', CONSTRAINT = 'audit_logs_append_only_check',
          TABLE = 'audit_logs';
END
$$;
COMMENT ON FUNCTION audit_logs_refuse_change() IS 'Trigger: audit_logs rows are never updated or deleted (but the user FK''s SET NULL and the partition move).';
CREATE TRIGGER audit_logs_append_only_check BEFORE UPDATE OR DELETE ON audit_logs
    FOR EACH ROW EXECUTE FUNCTION audit_logs_refuse_change();
-- The move of rows out of the default partition says so (shopdb.audit_logs_moving), so the
-- append-only trigger lets exactly those deletes through.
CREATE OR REPLACE FUNCTION audit_logs_create_partitions(months_ahead integer DEFAULT 3, from_time timestamptz DEFAULT now())
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    first_month timestamp := date_trunc('month', from_time AT TIME ZONE 'UTC');
    low timestamptz;
    high timestamptz;
    partition_name text;
    created integer := 0;
BEGIN
    IF months_ahead < 0 THEN
        RAISE EXCEPTION 'months_ahead must be >= 0' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    FOR step IN 0..months_ahead LOOP
        low := (first_month + make_interval(months => step)) AT TIME ZONE 'UTC';
        high := (first_month + make_interval(months => step + 1)) AT TIME ZONE 'UTC';
        partition_name := 'audit_logs_' || to_char(low AT TIME ZONE 'UTC', '"y"YYYY"m"MM');
        CONTINUE WHEN to_regclass(quote_ident(partition_name)) IS NOT NULL;
        -- Build the month beside the table, move in any rows the default partition holds
        -- for it, then attach: attaching checks the default partition no longer has them.
        EXECUTE format('CREATE TABLE %I (LIKE audit_logs INCLUDING DEFAULTS INCLUDING CONSTRAINTS)',
                       partition_name);
        PERFORM set_config('shopdb.audit_logs_moving', 'on', true);
        EXECUTE format('WITH moved AS (DELETE FROM audit_logs_default WHERE created_at >= $1 AND created_at < $2 RETURNING *) '
                       'INSERT INTO %I SELECT * FROM moved', partition_name)
            USING low, high;
        PERFORM set_config('shopdb.audit_logs_moving', 'off', true);
        EXECUTE format('ALTER TABLE audit_logs ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                       partition_name, low, high);
        EXECUTE format('COMMENT ON TABLE %I IS %L', partition_name,
                       'Audit rows of ' || to_char(low AT TIME ZONE 'UTC', 'YYYY-MM') || ' (UTC).');
        created := created + 1;
    END LOOP;
    RETURN created;
END
$$;

