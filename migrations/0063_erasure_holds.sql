-- An erasure that stays done. (1) A write that gives a row to a user who is erased, or being
-- erased, is refused: a trigger on every table of a user's own rows takes a shared advisory
-- lock of the user without waiting (the erasure holds it exclusively until it commits) and
-- then reads users.erased_at in a snapshot of its own; so a row is either written before
-- the erasure locks the user (and the erasure, waiting for it, erases it) or refused.
-- (2) The audit log may lose, for an erased user only, the values it kept of them: the
-- entries about the user keep only the non-personal keys of their states, and every entry
-- the user acted in loses its IP address and user agent. Nothing else of audit_logs can change.
-- depends: 0062_review_votes
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

CREATE FUNCTION user_erasure_lock_key(user_id uuid) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT hashtextextended('shopdb.users.erasure:' || CAST(user_id AS text), 0)
$$;
COMMENT ON FUNCTION user_erasure_lock_key(uuid) IS 'The advisory lock key of a user''s erasure: users.erase holds it exclusively, writes of the user''s rows try it shared.';

CREATE FUNCTION refuse_erased_owner() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT pg_try_advisory_xact_lock_shared(user_erasure_lock_key(NEW.user_id))
     OR EXISTS (SELECT 1 FROM users WHERE id = NEW.user_id AND erased_at IS NOT NULL) THEN
    RAISE EXCEPTION 'the user % is erased (or being erased): % takes no row of theirs',
        NEW.user_id, TG_TABLE_NAME
      USING ERRCODE = 'check_violation', CONSTRAINT = TG_NAME, TABLE = TG_TABLE_NAME,
            COLUMN = 'user_id';
  END IF;
  RETURN NEW;
END
$$;
COMMENT ON FUNCTION refuse_erased_owner() IS 'Trigger: no row is given to a user who is erased or whose erasure is running.';

CREATE TRIGGER addresses_owner_not_erased_check BEFORE INSERT OR UPDATE OF user_id ON addresses
    FOR EACH ROW WHEN (NEW.user_id IS NOT NULL) EXECUTE FUNCTION refuse_erased_owner();
CREATE TRIGGER api_keys_owner_not_erased_check BEFORE INSERT OR UPDATE OF user_id ON api_keys
    FOR EACH ROW WHEN (NEW.user_id IS NOT NULL) EXECUTE FUNCTION refuse_erased_owner();
CREATE TRIGGER carts_owner_not_erased_check BEFORE INSERT OR UPDATE OF user_id ON carts
    FOR EACH ROW WHEN (NEW.user_id IS NOT NULL) EXECUTE FUNCTION refuse_erased_owner();
CREATE TRIGGER orders_owner_not_erased_check BEFORE INSERT OR UPDATE OF user_id ON orders
    FOR EACH ROW WHEN (NEW.user_id IS NOT NULL) EXECUTE FUNCTION refuse_erased_owner();
CREATE TRIGGER payments_owner_not_erased_check BEFORE INSERT OR UPDATE OF user_id ON payments
    FOR EACH ROW WHEN (NEW.user_id IS NOT NULL) EXECUTE FUNCTION refuse_erased_owner();
CREATE TRIGGER review_votes_owner_not_erased_check BEFORE INSERT OR UPDATE OF user_id ON review_votes
    FOR EACH ROW WHEN (NEW.user_id IS NOT NULL) EXECUTE FUNCTION refuse_erased_owner();
CREATE TRIGGER reviews_owner_not_erased_check BEFORE INSERT OR UPDATE OF user_id ON reviews
    FOR EACH ROW WHEN (NEW.user_id IS NOT NULL) EXECUTE FUNCTION refuse_erased_owner();
CREATE TRIGGER saved_cards_owner_not_erased_check BEFORE INSERT OR UPDATE OF user_id ON saved_cards
    FOR EACH ROW WHEN (NEW.user_id IS NOT NULL) EXECUTE FUNCTION refuse_erased_owner();
CREATE TRIGGER user_sessions_owner_not_erased_check BEFORE INSERT OR UPDATE OF user_id ON user_sessions
    FOR EACH ROW WHEN (NEW.user_id IS NOT NULL) EXECUTE FUNCTION refuse_erased_owner();

CREATE FUNCTION audit_redacted(state jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN jsonb_typeof(state) = 'object' THEN
    coalesce((SELECT jsonb_object_agg(key, value) FROM jsonb_each(state)
               WHERE key IN ('id', 'status', 'email_verified', 'email_verified_at', 'email_changed',
                             'two_factor_enabled', 'failed_login_count', 'lockout_until',
                             'last_login_at', 'created_at', 'updated_at', 'deleted_at', 'version')),
             '{}'::jsonb)
  ELSE state END
$$;
COMMENT ON FUNCTION audit_redacted(jsonb) IS 'A user''s state as the audit log keeps it once the user is erased: the non-personal keys only.';

CREATE OR REPLACE FUNCTION audit_logs_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  about_user boolean;
  kept_before jsonb;
  kept_after jsonb;
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.user_id IS NULL
     AND to_jsonb(NEW) - 'user_id' - 'updated_at' = to_jsonb(OLD) - 'user_id' - 'updated_at' THEN
    RETURN NEW;  -- the foreign key's ON DELETE SET NULL: the entry stays, its user went
  END IF;
  IF TG_OP = 'UPDATE' THEN
    about_user := OLD.entity = 'users';
    kept_before := OLD.before;
    kept_after := OLD.after;
    IF about_user THEN
      kept_before := audit_redacted(OLD.before);
      kept_after := audit_redacted(OLD.after);
    END IF;
    IF NEW.ip_address IS NULL AND NEW.user_agent IS NULL
       AND to_jsonb(NEW) - 'before' - 'after' - 'ip_address' - 'user_agent' - 'updated_at'
           = to_jsonb(OLD) - 'before' - 'after' - 'ip_address' - 'user_agent' - 'updated_at'
       AND NEW.before IS NOT DISTINCT FROM kept_before
       AND NEW.after IS NOT DISTINCT FROM kept_after
       AND EXISTS (SELECT 1 FROM users u
                    WHERE u.erased_at IS NOT NULL
                      AND (u.id = OLD.user_id OR (about_user AND CAST(u.id AS text) = OLD.entity_id))) THEN
      RETURN NEW;  -- an erasure redacting what the log kept of the user
    END IF;
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
COMMENT ON FUNCTION audit_logs_refuse_change() IS 'Trigger: audit_logs rows are never updated or deleted (but the user FK''s SET NULL, an erased user''s redaction and the partition move).';
