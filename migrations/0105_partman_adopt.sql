-- Issue 19, point 4: hand a table partitioned by month to pg_partman 4.7 where it is
-- installed (docs/partitions.md). pg_partman's create_parent() always makes <table>_default
-- itself, so ours is detached and set aside first, and its rows (if any) are inserted again
-- after: each goes to its month, or to the new default partition. The month names are
-- already pg_partman's (<table>_pYYYY_MM, 0100), so it adopts the months that exist.
-- pg_partman 4.7 cannot read a partition bound of MINVALUE (security_events_legacy, 0104):
-- while a table has one, pg_partman keeps it ahead but is given no retention, and
-- `shopdb partitions maintain` (drop_old_partitions) drops that partition when its time comes;
-- run partman_adopt again afterwards to hand the retention to pg_partman too.
-- pg_partman makes no default partition when every month it would make exists, so ours is
-- made again if it did not.
-- The function refers to pg_partman only when it runs: this migration needs no extension.
-- depends: 0104_security_events_partitioned
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

CREATE FUNCTION partman_adopt(parent regclass, premake integer, retention_months integer)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    parent_name text := (SELECT relname FROM pg_class WHERE oid = parent);
    qualified text := (SELECT n.nspname || '.' || c.relname FROM pg_class c
                         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = parent);
    old_default regclass := (SELECT partition FROM month_partitions(parent) WHERE is_default);
    set_aside text := parent_name || '_default_before_partman';
    unbounded boolean := EXISTS (SELECT 1 FROM month_partitions(parent) WHERE low = '-infinity');
    -- The first month pg_partman makes: this one, or the end of the partition of everything
    -- before it (security_events_legacy) when that is later. It skips the months that exist
    -- by name, and must never make one that overlaps another (nor fill months behind).
    start_month timestamptz := greatest(
        date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
        (SELECT max(high) FROM month_partitions(parent) WHERE low = '-infinity'));
    adopted boolean;
BEGIN
    IF to_regnamespace('partman') IS NULL THEN
        RAISE EXCEPTION 'pg_partman is not installed in schema partman' USING ERRCODE = 'undefined_object';
    END IF;
    EXECUTE 'SELECT EXISTS (SELECT 1 FROM partman.part_config WHERE parent_table = $1)'
        INTO adopted USING qualified;
    IF NOT adopted THEN
        IF old_default IS NOT NULL THEN
            EXECUTE format('ALTER TABLE %s DETACH PARTITION %s', parent, old_default);
            EXECUTE format('ALTER TABLE %s RENAME TO %I', old_default, set_aside);
        END IF;
        EXECUTE 'SELECT partman.create_parent($1, ''created_at'', ''native'', ''monthly'', '
                'p_premake := $2, p_jobmon := false, p_start_partition := $3)'
            USING qualified, premake, to_char(start_month AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS');
        EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF %s DEFAULT', parent_name || '_default', parent);
        IF old_default IS NOT NULL THEN
            EXECUTE format('INSERT INTO %s SELECT * FROM %I', parent, set_aside);
            EXECUTE format('DROP TABLE %I', set_aside);
        END IF;
    END IF;
    EXECUTE 'UPDATE partman.part_config SET premake = $2, retention = $3, retention_keep_table = false, '
            'infinite_time_partitions = true WHERE parent_table = $1'
        USING qualified, premake, CASE WHEN unbounded THEN NULL ELSE retention_months || ' months' END;
END
$$;
COMMENT ON FUNCTION partman_adopt(regclass, integer, integer) IS 'Hand a table partitioned by month to pg_partman: premake months kept ahead, partitions older than retention_months dropped by partman.run_maintenance() (none while a partition has no lower bound); run again to change the figures.';
