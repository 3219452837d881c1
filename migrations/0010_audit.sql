-- Audit log, partitioned by month on created_at: old months are detached or dropped whole
-- instead of deleted row by row. audit_logs_create_partitions() creates months ahead (run it
-- monthly from a scheduler); rows outside every month land in audit_logs_default.
-- New tables only: their indexes are built in the same transaction, so no CONCURRENTLY.
-- depends: 0009_coupons
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

CREATE TABLE audit_logs (
    id          uuid        NOT NULL DEFAULT uuid_generate_v7(),
    user_id     uuid,
    actor_type  text        NOT NULL,
    action      text        NOT NULL,
    entity      text        NOT NULL,
    entity_id   text        NOT NULL,
    before      jsonb,
    after       jsonb,
    ip_address  inet,
    user_agent  text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT audit_logs_pkey PRIMARY KEY (id, created_at),
    CONSTRAINT audit_logs_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT audit_logs_actor_type_check CHECK (actor_type IN ('USER', 'ADMIN', 'SYSTEM')),
    CONSTRAINT audit_logs_action_check CHECK (length(action) BETWEEN 1 AND 100),
    CONSTRAINT audit_logs_entity_check CHECK (length(entity) BETWEEN 1 AND 100)
) PARTITION BY RANGE (created_at);
COMMENT ON TABLE audit_logs IS 'Who changed what (before/after), partitioned by month on created_at; kept (user_id NULL) when the user goes.';
COMMENT ON COLUMN audit_logs.entity IS 'The table or aggregate changed (orders, products...).';
COMMENT ON COLUMN audit_logs.entity_id IS 'The key of the changed row, as text (composite keys joined by :).';
CREATE INDEX audit_logs_user_id_idx ON audit_logs (user_id);
CREATE INDEX audit_logs_entity_entity_id_created_at_idx ON audit_logs (entity, entity_id, created_at);
CREATE INDEX audit_logs_created_at_idx ON audit_logs (created_at);
CREATE TRIGGER audit_logs_set_updated_at BEFORE UPDATE ON audit_logs
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE audit_logs_default PARTITION OF audit_logs DEFAULT;
COMMENT ON TABLE audit_logs_default IS 'Audit rows of months without a partition of their own; should stay empty.';

CREATE FUNCTION audit_logs_create_partitions(months_ahead integer DEFAULT 3, from_time timestamptz DEFAULT now())
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
COMMENT ON FUNCTION audit_logs_create_partitions(integer, timestamptz) IS 'Create the monthly audit_logs partitions from the month of from_time to months_ahead months later; returns how many it created.';

DO $$ BEGIN PERFORM audit_logs_create_partitions(3); END $$;
