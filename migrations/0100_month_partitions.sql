-- Issue 19, point 4: the monthly partitions of audit_logs and security_events, kept ahead and
-- dropped past retention by `shopdb partitions maintain` or by pg_partman (docs/partitions.md).
--   * month_partitions(parent): each partition of a range-partitioned table with its bounds;
--   * create_month_partitions(parent, months_ahead, from_time): the months from that of
--     from_time to months_ahead later, each built beside the table, given the rows the
--     default partition holds for it, then attached (so a row that arrived early is moved,
--     never lost); a month some partition already covers is skipped;
--   * drop_old_partitions(parent, retention_months, at): detach and drop every partition
--     whose months all lie before the retention window;
--   * the audit_logs months are renamed audit_logs_pYYYY_MM, the names pg_partman 4.7 gives
--     (so either tool finds the other's partitions), and audit_logs_create_partitions() now
--     calls create_month_partitions().
-- Renames and function changes only: brief locks, no scan.
-- depends: 0062_review_votes
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

CREATE FUNCTION month_partitions(parent regclass)
RETURNS TABLE (partition regclass, low timestamptz, high timestamptz, is_default boolean)
LANGUAGE sql STABLE AS $$
    SELECT c.oid::regclass,
           CASE WHEN b.m IS NULL THEN NULL
                WHEN b.m[1] = 'MINVALUE' THEN '-infinity'::timestamptz
                ELSE btrim(b.m[1], '''')::timestamptz END,
           CASE WHEN b.m IS NULL THEN NULL
                WHEN b.m[2] = 'MAXVALUE' THEN 'infinity'::timestamptz
                ELSE btrim(b.m[2], '''')::timestamptz END,
           b.m IS NULL
      FROM pg_inherits i
      JOIN pg_class c ON c.oid = i.inhrelid
     CROSS JOIN LATERAL (
           SELECT regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \((.+)\) TO \((.+)\)') AS m
     ) b
     WHERE i.inhparent = parent
     ORDER BY 3 NULLS LAST
$$;
COMMENT ON FUNCTION month_partitions(regclass) IS 'Each partition of a table partitioned by range on a timestamptz, with its bounds (low inclusive, high exclusive; both NULL for the default partition).';

CREATE FUNCTION create_month_partitions(parent regclass, months_ahead integer DEFAULT 3, from_time timestamptz DEFAULT now())
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    parent_name text := (SELECT relname FROM pg_class WHERE oid = parent);
    key_column text := (SELECT a.attname FROM pg_partitioned_table p
                          JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
                         WHERE p.partrelid = parent);
    default_partition regclass := (SELECT partition FROM month_partitions(parent) WHERE is_default);
    first_month timestamp := date_trunc('month', from_time AT TIME ZONE 'UTC');
    month_low timestamptz;
    month_high timestamptz;
    partition_name text;
    created integer := 0;
BEGIN
    IF months_ahead < 0 THEN
        RAISE EXCEPTION 'months_ahead must be >= 0' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF key_column IS NULL THEN
        RAISE EXCEPTION '% is not partitioned by range', parent USING ERRCODE = 'invalid_parameter_value';
    END IF;
    FOR step IN 0..months_ahead LOOP
        month_low := (first_month + make_interval(months => step)) AT TIME ZONE 'UTC';
        month_high := (first_month + make_interval(months => step + 1)) AT TIME ZONE 'UTC';
        partition_name := parent_name || '_p' || to_char(month_low AT TIME ZONE 'UTC', 'YYYY_MM');
        CONTINUE WHEN EXISTS (SELECT 1 FROM month_partitions(parent) p
                               WHERE NOT p.is_default AND p.low < month_high AND p.high > month_low);
        EXECUTE format('CREATE TABLE %I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS)',
                       partition_name, parent);
        IF default_partition IS NOT NULL THEN
            -- audit_logs_refuse_change() lets exactly this move out of the default through.
            PERFORM set_config('shopdb.audit_logs_moving', 'on', true);
            EXECUTE format('WITH moved AS (DELETE FROM %s WHERE %I >= $1 AND %I < $2 RETURNING *) '
                           'INSERT INTO %I SELECT * FROM moved',
                           default_partition, key_column, key_column, partition_name)
                USING month_low, month_high;
            PERFORM set_config('shopdb.audit_logs_moving', 'off', true);
        END IF;
        EXECUTE format('ALTER TABLE %s ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                       parent, partition_name, month_low, month_high);
        EXECUTE format('COMMENT ON TABLE %I IS %L', partition_name,
                       'Rows of ' || parent_name || ' of ' || to_char(month_low AT TIME ZONE 'UTC', 'YYYY-MM') || ' (UTC).');
        created := created + 1;
    END LOOP;
    RETURN created;
END
$$;
COMMENT ON FUNCTION create_month_partitions(regclass, integer, timestamptz) IS 'Create the monthly partitions <table>_pYYYY_MM from the month of from_time to months_ahead months later (moving in the rows the default partition holds for them); returns how many it created.';

CREATE FUNCTION drop_old_partitions(parent regclass, retention_months integer, at timestamptz DEFAULT now())
RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
    cutoff timestamptz;
    old record;
BEGIN
    IF retention_months < 1 THEN
        RAISE EXCEPTION 'retention_months must be >= 1' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    cutoff := (date_trunc('month', at AT TIME ZONE 'UTC') - make_interval(months => retention_months)) AT TIME ZONE 'UTC';
    FOR old IN SELECT p.partition FROM month_partitions(parent) p
                WHERE NOT p.is_default AND p.high <= cutoff ORDER BY p.high LOOP
        -- Not CONCURRENTLY: PostgreSQL refuses it while a default partition exists.
        EXECUTE format('ALTER TABLE %s DETACH PARTITION %s', parent, old.partition);
        RETURN NEXT old.partition::text;
        EXECUTE format('DROP TABLE %s', old.partition);
    END LOOP;
END
$$;
COMMENT ON FUNCTION drop_old_partitions(regclass, integer, timestamptz) IS 'Detach and drop every partition whose rows all lie before the month of at minus retention_months; returns their names.';

DO $$
DECLARE
    month record;
BEGIN
    FOR month IN SELECT partition::text AS name FROM month_partitions('audit_logs')
                  WHERE partition::text ~ '^audit_logs_y[0-9]{4}m[0-9]{2}$' LOOP
        EXECUTE format('ALTER TABLE %I RENAME TO %I', month.name,
                       regexp_replace(month.name, '^audit_logs_y([0-9]{4})m([0-9]{2})$', 'audit_logs_p\1_\2'));
    END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION audit_logs_create_partitions(months_ahead integer DEFAULT 3, from_time timestamptz DEFAULT now())
RETURNS integer
LANGUAGE sql AS $$
    SELECT create_month_partitions('audit_logs', months_ahead, from_time)
$$;
