-- Keys the service makes for itself, so that no one has to configure them: the HMAC key of
-- pagination cursors, drawn once here (gen_random_bytes, pgcrypto) and read by every
-- Database at open, so a cursor issued by one process is good on every other one (behind a
-- load balancer, across restarts). CURSOR_SECRET, when set, overrides it.
-- depends: 0022_category_subtree_is_wide
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
CREATE EXTENSION IF NOT EXISTS pgcrypto;

CREATE TABLE service_keys (
    name       text        PRIMARY KEY,
    secret     bytea       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT service_keys_name_check CHECK (name ~ '^[a-z][a-z0-9_]{0,62}$'),
    CONSTRAINT service_keys_secret_check CHECK (octet_length(secret) >= 32)
);
COMMENT ON TABLE service_keys IS 'Keys drawn by migrations (the cursor HMAC key); never selected by ordinary reads.';

CREATE TRIGGER service_keys_set_updated_at BEFORE UPDATE ON service_keys
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

INSERT INTO service_keys (name, secret) VALUES ('cursor', gen_random_bytes(32));
