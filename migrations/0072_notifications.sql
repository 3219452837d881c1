-- Notifications (issue 21 point 3): a user's messages, made from events by the outbox's
-- notifications consumer, and their preferences per kind and channel. The unread count
-- reads the partial index notifications_user_id_unread_idx: its size is the unread rows
-- only, whatever the number of users or read notifications.
-- A new table: its indexes are built in the same transaction, so no CONCURRENTLY.
-- depends: 0070_outbox
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

CREATE TABLE notifications (
    id         uuid        NOT NULL DEFAULT uuid_generate_v7(),
    user_id    uuid        NOT NULL,
    kind       text        NOT NULL,
    title      text        NOT NULL,
    body       text        NOT NULL DEFAULT '',
    data       jsonb       NOT NULL DEFAULT '{}',
    event_id   uuid,
    read_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT notifications_pkey PRIMARY KEY (id),
    CONSTRAINT notifications_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT notifications_event_id_fkey FOREIGN KEY (event_id)
        REFERENCES outbox_events (id) ON DELETE SET NULL,
    CONSTRAINT notifications_kind_check CHECK (kind ~ '^[a-z][a-z0-9_.]{0,63}$'),
    CONSTRAINT notifications_title_check CHECK (length(title) BETWEEN 1 AND 200),
    CONSTRAINT notifications_body_check CHECK (length(body) <= 2000),
    CONSTRAINT notifications_data_check CHECK (jsonb_typeof(data) = 'object')
);
COMMENT ON TABLE notifications IS 'A user''s notifications; read_at NULL while unread; event_id the outbox event it was made from.';
CREATE INDEX notifications_user_id_created_at_idx ON notifications (user_id, created_at, id);
CREATE INDEX notifications_user_id_unread_idx ON notifications (user_id) WHERE read_at IS NULL;
CREATE INDEX notifications_read_at_idx ON notifications (read_at) WHERE read_at IS NOT NULL;
CREATE UNIQUE INDEX notifications_event_id_user_id_key ON notifications (event_id, user_id);
CREATE TRIGGER notifications_set_updated_at BEFORE UPDATE ON notifications
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE notification_preferences (
    user_id    uuid        NOT NULL,
    kind       text        NOT NULL,
    channel    text        NOT NULL,
    enabled    boolean     NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT notification_preferences_pkey PRIMARY KEY (user_id, kind, channel),
    CONSTRAINT notification_preferences_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT notification_preferences_kind_check CHECK (kind ~ '^[a-z][a-z0-9_.]{0,63}$'),
    CONSTRAINT notification_preferences_channel_check
        CHECK (channel IN ('IN_APP', 'EMAIL', 'PUSH'))
);
COMMENT ON TABLE notification_preferences IS 'Whether a user takes a kind of notification on a channel; no row: enabled.';
CREATE TRIGGER notification_preferences_set_updated_at BEFORE UPDATE ON notification_preferences
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
