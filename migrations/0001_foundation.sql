-- The ground every later table stands on: UUID v7 keys, the updated_at trigger, users.
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

CREATE FUNCTION uuid_generate_v7() RETURNS uuid
LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
  -- 48-bit Unix milliseconds, then version 7 and 74 random bits (RFC 9562).
  SELECT encode(
           set_bit(set_bit(
             overlay(uuid_send(gen_random_uuid())
                     PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                     FROM 1 FOR 6),
             52, 1), 53, 1),
           'hex')::uuid
$$;
COMMENT ON FUNCTION uuid_generate_v7() IS 'Time-ordered UUID (version 7) for primary keys.';

CREATE FUNCTION set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- The trigger's arguments name generated columns: NEW does not hold their new values yet,
  -- so they are left out of the comparison, or a no-op update would look like a change.
  IF TG_NARGS = 0 THEN
    IF NEW IS DISTINCT FROM OLD THEN
      NEW.updated_at := clock_timestamp();
    END IF;
  ELSIF (to_jsonb(NEW) - TG_ARGV) IS DISTINCT FROM (to_jsonb(OLD) - TG_ARGV) THEN
    NEW.updated_at := clock_timestamp();
  END IF;
  RETURN NEW;
END
$$;
COMMENT ON FUNCTION set_updated_at() IS 'BEFORE UPDATE trigger: keeps updated_at current.';

CREATE TABLE users (
    id                 uuid        PRIMARY KEY DEFAULT uuid_generate_v7(),
    email              text        NOT NULL,
    password_hash      text        NOT NULL,
    first_name         text,
    last_name          text,
    phone              text,
    email_verified     boolean     NOT NULL DEFAULT false,
    email_verified_at  timestamptz,
    failed_login_count integer     NOT NULL DEFAULT 0,
    lockout_until      timestamptz,
    last_login_at      timestamptz,
    two_factor_secret  text,
    two_factor_enabled boolean     NOT NULL DEFAULT false,
    status             text        NOT NULL DEFAULT 'ACTIVE',
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    deleted_at         timestamptz,
    CONSTRAINT users_status_check CHECK (status IN ('ACTIVE', 'SUSPENDED', 'DELETED')),
    CONSTRAINT users_email_format_check
        CHECK (length(email) <= 320 AND email ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$'),
    CONSTRAINT users_password_hash_format_check
        CHECK (length(password_hash) BETWEEN 20 AND 1024 AND password_hash ~ '^\$[a-z0-9-]+\$'),
    CONSTRAINT users_failed_login_count_check CHECK (failed_login_count >= 0),
    CONSTRAINT users_first_name_length_check CHECK (length(first_name) BETWEEN 1 AND 100),
    CONSTRAINT users_last_name_length_check CHECK (length(last_name) BETWEEN 1 AND 100),
    CONSTRAINT users_phone_format_check CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
    CONSTRAINT users_two_factor_check CHECK (NOT two_factor_enabled OR two_factor_secret IS NOT NULL),
    CONSTRAINT users_deleted_status_check CHECK ((status = 'DELETED') = (deleted_at IS NOT NULL))
);
COMMENT ON TABLE users IS 'Customer and staff accounts; soft-deleted through deleted_at.';
COMMENT ON COLUMN users.password_hash IS 'Modular-crypt hash (bcrypt, argon2...); never plain text.';

CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));
CREATE INDEX users_status_created_at_idx ON users (status, created_at DESC, id DESC)
    WHERE deleted_at IS NULL;
CREATE INDEX users_created_at_id_idx ON users (created_at DESC, id DESC)
    WHERE deleted_at IS NULL;

CREATE TRIGGER users_set_updated_at BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
