-- Identity that stays shut: what a soft delete must remember and what an erasure leaves.
-- users is a live table: both columns are added without a rewrite (a constant default and a
-- nullable column are catalog-only changes since PostgreSQL 11), under a short lock_timeout.
-- depends: 0060_service_keys
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

ALTER TABLE users ADD COLUMN suspended_when_deleted boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN users.suspended_when_deleted IS 'Whether the user was SUSPENDED when soft-deleted: restore brings the suspension back.';
ALTER TABLE users ADD COLUMN erased_at timestamptz;
COMMENT ON COLUMN users.erased_at IS 'When users.erase anonymized the account (a deletion request); it is never restored.';
