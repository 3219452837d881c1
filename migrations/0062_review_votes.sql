-- One helpful vote per user and review: voting again changes the vote. The counters of
-- reviews stay (the listings sort on them); reviews.vote moves them by the difference.
-- A new table: its indexes are built in the same transaction, so no CONCURRENTLY.
-- depends: 0061_users_trust
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

CREATE TABLE review_votes (
    review_id  uuid        NOT NULL,
    user_id    uuid        NOT NULL,
    helpful    boolean     NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT review_votes_pkey PRIMARY KEY (review_id, user_id),
    CONSTRAINT review_votes_review_id_fkey FOREIGN KEY (review_id)
        REFERENCES reviews (id) ON DELETE CASCADE,
    CONSTRAINT review_votes_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE
);
COMMENT ON TABLE review_votes IS 'Helpful / not helpful votes, one per user and review (the primary key).';
CREATE INDEX review_votes_user_id_idx ON review_votes (user_id);

CREATE TRIGGER review_votes_set_updated_at BEFORE UPDATE ON review_votes
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
