-- Undo 0063: no erasure guard on the users' rows, and audit_logs append-only as 0040 made it.
-- squawk-ignore-file ban-drop-function -- a rollback drops exactly the functions its migration created
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

DROP TRIGGER IF EXISTS addresses_owner_not_erased_check ON addresses;
DROP TRIGGER IF EXISTS api_keys_owner_not_erased_check ON api_keys;
DROP TRIGGER IF EXISTS carts_owner_not_erased_check ON carts;
DROP TRIGGER IF EXISTS orders_owner_not_erased_check ON orders;
DROP TRIGGER IF EXISTS payments_owner_not_erased_check ON payments;
DROP TRIGGER IF EXISTS review_votes_owner_not_erased_check ON review_votes;
DROP TRIGGER IF EXISTS reviews_owner_not_erased_check ON reviews;
DROP TRIGGER IF EXISTS saved_cards_owner_not_erased_check ON saved_cards;
DROP TRIGGER IF EXISTS user_sessions_owner_not_erased_check ON user_sessions;
DROP FUNCTION IF EXISTS refuse_erased_owner();
DROP FUNCTION IF EXISTS user_erasure_lock_key(uuid);

CREATE OR REPLACE FUNCTION audit_logs_refuse_change() RETURNS trigger
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
DROP FUNCTION IF EXISTS audit_redacted(jsonb);
