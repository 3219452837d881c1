-- Issue 19, point 4, online step 2 of 4: a CHECK that every row lies before the first month
-- the new monthly partitions will cover (the start of the month after next, or later when a
-- stored row is dated later), added NOT VALID: a brief lock and no scan (0103 validates it).
-- With it validated, attaching the table as the partition of everything before that month
-- (0104) needs no scan under the lock. Reading the latest created_at is a scan without lock
-- beyond ACCESS SHARE.
-- depends: 0101_security_events_partition_key
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '30min';
DO $$
DECLARE
    bound timestamptz := (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '2 months') AT TIME ZONE 'UTC';
    latest timestamptz := (SELECT max(created_at) FROM security_events);
BEGIN
    IF latest >= bound THEN
        bound := (date_trunc('month', latest AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC';
    END IF;
    EXECUTE format('ALTER TABLE security_events ADD CONSTRAINT security_events_legacy_bound_check '
                   'CHECK (created_at < %L) NOT VALID', bound);
END
$$;
