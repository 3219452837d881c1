-- Identity: sessions, roles and permissions (RBAC), security events.
-- New tables only: their indexes are built in the same transaction, so no CONCURRENTLY.
-- depends: 0001_foundation
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

CREATE TABLE user_sessions (
    id                 uuid        NOT NULL DEFAULT uuid_generate_v7(),
    user_id            uuid        NOT NULL,
    refresh_token_hash text        NOT NULL,
    fingerprint        text,
    ip_address         inet,
    user_agent         text,
    expires_at         timestamptz NOT NULL,
    revoked_at         timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT user_sessions_pkey PRIMARY KEY (id),
    CONSTRAINT user_sessions_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT user_sessions_refresh_token_hash_key UNIQUE (refresh_token_hash),
    CONSTRAINT user_sessions_refresh_token_hash_check
        CHECK (length(refresh_token_hash) BETWEEN 32 AND 512),
    CONSTRAINT user_sessions_expires_at_check CHECK (expires_at > created_at),
    CONSTRAINT user_sessions_revoked_at_check CHECK (revoked_at >= created_at)
);
COMMENT ON TABLE user_sessions IS 'Refresh-token sessions of a user; deleted with the user.';
COMMENT ON COLUMN user_sessions.refresh_token_hash IS 'Hash of the refresh token (never the token itself).';
COMMENT ON COLUMN user_sessions.revoked_at IS 'Set on logout or revocation; NULL while the session is live.';
CREATE INDEX user_sessions_user_id_idx ON user_sessions (user_id);
CREATE INDEX user_sessions_expires_at_revoked_at_idx ON user_sessions (expires_at, revoked_at);
CREATE TRIGGER user_sessions_set_updated_at BEFORE UPDATE ON user_sessions
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE roles (
    id          uuid        NOT NULL DEFAULT uuid_generate_v7(),
    name        text        NOT NULL,
    description text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT roles_pkey PRIMARY KEY (id),
    CONSTRAINT roles_name_key UNIQUE (name),
    CONSTRAINT roles_name_check CHECK (name ~ '^[a-z][a-z0-9_-]{0,62}$')
);
COMMENT ON TABLE roles IS 'Named sets of permissions (customer, staff, admin...).';
CREATE TRIGGER roles_set_updated_at BEFORE UPDATE ON roles
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE permissions (
    id          uuid        NOT NULL DEFAULT uuid_generate_v7(),
    key         text        NOT NULL,
    description text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT permissions_pkey PRIMARY KEY (id),
    CONSTRAINT permissions_key_key UNIQUE (key),
    CONSTRAINT permissions_key_check CHECK (key ~ '^[a-z][a-z0-9_.-]*:[a-z*][a-z0-9_.*-]*$')
);
COMMENT ON TABLE permissions IS 'Grantable actions, keyed domain:action (orders:refund).';
CREATE TRIGGER permissions_set_updated_at BEFORE UPDATE ON permissions
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE role_permissions (
    role_id       uuid        NOT NULL,
    permission_id uuid        NOT NULL,
    assigned_at   timestamptz NOT NULL DEFAULT now(),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT role_permissions_pkey PRIMARY KEY (role_id, permission_id),
    CONSTRAINT role_permissions_role_id_fkey FOREIGN KEY (role_id)
        REFERENCES roles (id) ON DELETE CASCADE,
    CONSTRAINT role_permissions_permission_id_fkey FOREIGN KEY (permission_id)
        REFERENCES permissions (id) ON DELETE CASCADE
);
COMMENT ON TABLE role_permissions IS 'Which permissions a role grants.';
CREATE INDEX role_permissions_permission_id_idx ON role_permissions (permission_id);
CREATE TRIGGER role_permissions_set_updated_at BEFORE UPDATE ON role_permissions
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE user_roles (
    user_id     uuid        NOT NULL,
    role_id     uuid        NOT NULL,
    assigned_at timestamptz NOT NULL DEFAULT now(),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT user_roles_pkey PRIMARY KEY (user_id, role_id),
    CONSTRAINT user_roles_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT user_roles_role_id_fkey FOREIGN KEY (role_id)
        REFERENCES roles (id) ON DELETE CASCADE
);
COMMENT ON TABLE user_roles IS 'Roles held by a user; deleted with the user or the role.';
CREATE INDEX user_roles_role_id_idx ON user_roles (role_id);
CREATE TRIGGER user_roles_set_updated_at BEFORE UPDATE ON user_roles
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE user_permissions (
    user_id       uuid        NOT NULL,
    permission_id uuid        NOT NULL,
    assigned_at   timestamptz NOT NULL DEFAULT now(),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT user_permissions_pkey PRIMARY KEY (user_id, permission_id),
    CONSTRAINT user_permissions_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT user_permissions_permission_id_fkey FOREIGN KEY (permission_id)
        REFERENCES permissions (id) ON DELETE CASCADE
);
COMMENT ON TABLE user_permissions IS 'Permissions granted to a user directly, beside those of its roles.';
CREATE INDEX user_permissions_permission_id_idx ON user_permissions (permission_id);
CREATE TRIGGER user_permissions_set_updated_at BEFORE UPDATE ON user_permissions
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE security_events (
    id         uuid        NOT NULL DEFAULT uuid_generate_v7(),
    user_id    uuid,
    type       text        NOT NULL,
    ip_address inet,
    user_agent text,
    payload    jsonb       NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT security_events_pkey PRIMARY KEY (id),
    CONSTRAINT security_events_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT security_events_type_check CHECK (type ~ '^[A-Z][A-Z0-9_]{0,63}$'),
    CONSTRAINT security_events_payload_check CHECK (jsonb_typeof(payload) = 'object')
);
COMMENT ON TABLE security_events IS 'Logins, lockouts, password and 2FA changes; kept (user_id NULL) when the user goes.';
COMMENT ON COLUMN security_events.type IS 'Upper snake case event name: LOGIN_SUCCEEDED, LOGIN_FAILED, ...';
CREATE INDEX security_events_user_id_created_at_idx ON security_events (user_id, created_at);
CREATE INDEX security_events_type_created_at_idx ON security_events (type, created_at);
CREATE TRIGGER security_events_set_updated_at BEFORE UPDATE ON security_events
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
