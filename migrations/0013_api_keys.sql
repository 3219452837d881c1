-- Identity, part two: API keys (a new table), the last-seen time of a session, and the index
-- that pages the holders of one role by user id.
-- user_sessions and user_roles are live tables: the new index is built CONCURRENTLY, so the
-- file runs outside a transaction. Every step can be rerun: IF NOT EXISTS for the table and
-- the column; a concurrent build that failed leaves an INVALID index, which IF NOT EXISTS would
-- take for done, so each index is dropped first, then built again.
-- transactional: false
-- squawk-disable-assume-in-transaction
-- depends: 0012_next_version
SET lock_timeout = '5s';
SET statement_timeout = '30min';

CREATE TABLE IF NOT EXISTS api_keys (
    id           uuid        NOT NULL DEFAULT uuid_generate_v7(),
    user_id      uuid        NOT NULL,
    name         text        NOT NULL,
    prefix       text        NOT NULL,
    secret_hash  text        NOT NULL,
    scopes       text[]      NOT NULL DEFAULT '{}',
    status       text        NOT NULL DEFAULT 'ACTIVE',
    expires_at   timestamptz,
    last_used_at timestamptz,
    revoked_at   timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT api_keys_pkey PRIMARY KEY (id),
    CONSTRAINT api_keys_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT api_keys_prefix_key UNIQUE (prefix),
    CONSTRAINT api_keys_name_check CHECK (length(name) BETWEEN 1 AND 100),
    CONSTRAINT api_keys_prefix_check CHECK (prefix ~ '^sdb_[0-9a-f]{16}$'),
    CONSTRAINT api_keys_secret_hash_check CHECK (secret_hash ~ '^[0-9a-f]{64}$'),
    CONSTRAINT api_keys_scopes_check CHECK (cardinality(scopes) <= 100),
    CONSTRAINT api_keys_status_check CHECK (status IN ('ACTIVE', 'REVOKED', 'EXPIRED')),
    CONSTRAINT api_keys_revoked_check CHECK ((status = 'REVOKED') = (revoked_at IS NOT NULL)),
    CONSTRAINT api_keys_expires_at_check CHECK (expires_at > created_at)
);
COMMENT ON TABLE api_keys IS 'API keys of a user: a public prefix for lookup and display, an HMAC-SHA-256 of the secret (never the secret); deleted with the user.';
COMMENT ON COLUMN api_keys.prefix IS 'Public part of the key (prefix.secret), unique: how a presented key is found.';
COMMENT ON COLUMN api_keys.secret_hash IS 'Hex HMAC-SHA-256 of the secret under API_KEY_PEPPER; never the secret itself.';
COMMENT ON COLUMN api_keys.scopes IS 'Permission keys (domain:action) the key may use.';
COMMENT ON COLUMN api_keys.status IS 'ACTIVE, REVOKED or EXPIRED; an ACTIVE key past expires_at reads as EXPIRED.';
COMMENT ON COLUMN api_keys.last_used_at IS 'Last successful authentication, written at most once a minute.';

DROP INDEX CONCURRENTLY IF EXISTS api_keys_user_id_created_at_idx;
-- squawk-ignore prefer-robust-stmts -- the DROP above makes a rerun safe; IF NOT EXISTS would keep an INVALID index
CREATE INDEX CONCURRENTLY api_keys_user_id_created_at_idx ON api_keys (user_id, created_at, id);

DROP TRIGGER IF EXISTS api_keys_set_updated_at ON api_keys;
CREATE TRIGGER api_keys_set_updated_at BEFORE UPDATE ON api_keys
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

ALTER TABLE user_sessions ADD COLUMN IF NOT EXISTS last_seen_at timestamptz;
COMMENT ON COLUMN user_sessions.last_seen_at IS 'Last use of the session, written at most once a minute.';

DROP INDEX CONCURRENTLY IF EXISTS user_roles_role_id_user_id_idx;
-- squawk-ignore prefer-robust-stmts -- the DROP above makes a rerun safe; IF NOT EXISTS would keep an INVALID index
CREATE INDEX CONCURRENTLY user_roles_role_id_user_id_idx ON user_roles (role_id, user_id);

RESET statement_timeout;
RESET lock_timeout;
