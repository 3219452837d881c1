-- next_version(): optimistic locking in one statement. A versioned update writes
--   SET ..., version = next_version(version, :expected_version) WHERE id = :id
-- so that no row matched means "not found", and a row at another version raises SQLSTATE
-- SV001 (shopdb's StaleVersionError) instead of silently updating nothing.
-- depends: 0011_users_deleted_at_index
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
CREATE OR REPLACE FUNCTION next_version(current_version integer, expected_version integer)
RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF expected_version IS NULL OR current_version <> expected_version THEN
    -- No values in the message: server logs keep it.
    RAISE EXCEPTION 'stale version: the row changed since it was read'
      USING ERRCODE = 'SV001', HINT = 'Reload the row and apply the change again.';
  END IF;
  RETURN current_version + 1;
END
$$;
COMMENT ON FUNCTION next_version(integer, integer) IS 'Optimistic locking: the next version, or SQLSTATE SV001 when the row is not at the expected one.';
