-- Undo 0040: the triggers and functions it created, the checks it added, and
-- audit_logs_create_partitions() as 0010 wrote it.
-- squawk-ignore-file ban-drop-constraint -- a rollback drops exactly what its migration added
-- squawk-ignore-file ban-drop-function -- the functions exist only for these triggers
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
DROP TRIGGER audit_logs_append_only_check ON audit_logs;
DROP FUNCTION audit_logs_refuse_change();
DROP TRIGGER payments_status_transition_check ON payments;
DROP FUNCTION payments_check_status_transition();
DROP TRIGGER orders_status_transition_check ON orders;
DROP FUNCTION orders_check_status_transition();
DROP TRIGGER payments_order_pending_check ON payments;
DROP FUNCTION payments_check_order_pending();
ALTER TABLE coupon_usages DROP CONSTRAINT coupon_usages_money_finite_check;
ALTER TABLE coupons DROP CONSTRAINT coupons_money_finite_check;
ALTER TABLE payment_refunds DROP CONSTRAINT payment_refunds_money_finite_check;
ALTER TABLE payments DROP CONSTRAINT payments_money_finite_check;
ALTER TABLE order_items DROP CONSTRAINT order_items_money_finite_check;
ALTER TABLE orders DROP CONSTRAINT orders_money_finite_check;
ALTER TABLE cart_items DROP CONSTRAINT cart_items_money_finite_check;
ALTER TABLE product_variants DROP CONSTRAINT product_variants_money_finite_check;
ALTER TABLE products DROP CONSTRAINT products_money_finite_check;
ALTER TABLE payments DROP CONSTRAINT payments_settled_paid_price_check;
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
        EXECUTE format('WITH moved AS (DELETE FROM audit_logs_default WHERE created_at >= $1 AND created_at < $2 RETURNING *) '
                       'INSERT INTO %I SELECT * FROM moved', partition_name)
            USING low, high;
        EXECUTE format('ALTER TABLE audit_logs ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                       partition_name, low, high);
        EXECUTE format('COMMENT ON TABLE %I IS %L', partition_name,
                       'Audit rows of ' || to_char(low AT TIME ZONE 'UTC', 'YYYY-MM') || ' (UTC).');
        created := created + 1;
    END LOOP;
    RETURN created;
END
$$;
