-- Issue 19, point 4, online step 4 of 4: security_events becomes partitioned by month on
-- created_at. In one short transaction (catalog changes only, no scan, no rewrite): the
-- present table is renamed security_events_legacy, keeps its rows, indexes and primary key on
-- id, and is attached as the partition of every row before the bound of 0102 (validated by
-- 0103, so attaching scans nothing); the partitioned security_events takes its old name,
-- columns, constraints, indexes, trigger and comments; then a default partition, for a row
-- no month holds, and the months from the bound on, 3 of them (create_month_partitions).
-- Its unique index on (id, created_at) (0101) becomes the partition's part of the new
-- primary key, and its foreign key to users the partition's part of the new one.
-- depends: 0103_validate_security_events_bound
-- squawk-ignore-file renaming-table -- the old table becomes a partition; the parent takes its name in the same transaction, so clients see security_events throughout
-- squawk-ignore-file renaming-object -- its indexes and key free their names for the parent's, in the same transaction
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

ALTER TABLE security_events RENAME TO security_events_legacy;
ALTER TABLE security_events_legacy RENAME CONSTRAINT security_events_pkey TO security_events_legacy_pkey;
ALTER INDEX security_events_user_id_created_at_idx RENAME TO security_events_legacy_user_id_created_at_idx;
ALTER INDEX security_events_type_created_at_idx RENAME TO security_events_legacy_type_created_at_idx;
ALTER INDEX security_events_id_created_at_key RENAME TO security_events_legacy_id_created_at_key;
ALTER TABLE security_events_legacy
    ADD CONSTRAINT security_events_legacy_id_created_at_key UNIQUE USING INDEX security_events_legacy_id_created_at_key;
DROP TRIGGER security_events_set_updated_at ON security_events_legacy;

CREATE TABLE security_events (
    id         uuid        NOT NULL DEFAULT uuid_generate_v7(),
    user_id    uuid,
    type       text        NOT NULL,
    ip_address inet,
    user_agent text,
    payload    jsonb       NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT security_events_pkey PRIMARY KEY (id, created_at),
    CONSTRAINT security_events_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT security_events_type_check CHECK (type ~ '^[A-Z][A-Z0-9_]{0,63}$'),
    CONSTRAINT security_events_payload_check CHECK (jsonb_typeof(payload) = 'object')
) PARTITION BY RANGE (created_at);
COMMENT ON TABLE security_events IS 'Logins, lockouts, password and 2FA changes, partitioned by month on created_at; kept (user_id NULL) when the user goes.';
COMMENT ON COLUMN security_events.type IS 'Upper snake case event name: LOGIN_SUCCEEDED, LOGIN_FAILED, ...';
-- squawk-ignore require-concurrent-index-creation -- the table is new and has no partition yet
CREATE INDEX security_events_user_id_created_at_idx ON security_events (user_id, created_at);
-- squawk-ignore require-concurrent-index-creation -- the table is new and has no partition yet
CREATE INDEX security_events_type_created_at_idx ON security_events (type, created_at);
CREATE TRIGGER security_events_set_updated_at BEFORE UPDATE ON security_events
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

DO $$
DECLARE
    bound timestamptz := (regexp_match(pg_get_constraintdef(
        (SELECT oid FROM pg_constraint WHERE conname = 'security_events_legacy_bound_check'
            AND conrelid = 'security_events_legacy'::regclass)), '''([^'']+)'''))[1]::timestamptz;
BEGIN
    EXECUTE format('ALTER TABLE security_events ATTACH PARTITION security_events_legacy '
                   'FOR VALUES FROM (MINVALUE) TO (%L)', bound);
    PERFORM create_month_partitions('security_events', 2, bound);
END
$$;
COMMENT ON TABLE security_events_legacy IS 'The security events stored before security_events was partitioned (0104): every row before its bound.';
CREATE TABLE security_events_default PARTITION OF security_events DEFAULT;
COMMENT ON TABLE security_events_default IS 'Security events of months without a partition of their own; should stay empty.';
