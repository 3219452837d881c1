-- The data-quality runs of `shopdb quality` (sql/tools/quality.sql): one row per run, and one
-- per anomaly it found (a check whose offending-row count was not zero), with that count and
-- a sample of the offending ids, so an operator can see when an anomaly appeared and went.
-- New tables only: their indexes are built in the same transaction, so no CONCURRENTLY.
-- depends: 0086_coupon_usages_user_index
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

CREATE TABLE quality_runs (
    id          uuid        NOT NULL DEFAULT uuid_generate_v7(),
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    checks_run  integer     NOT NULL DEFAULT 0,
    anomalies   integer     NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT quality_runs_pkey PRIMARY KEY (id),
    CONSTRAINT quality_runs_checks_run_check CHECK (checks_run >= 0),
    CONSTRAINT quality_runs_anomalies_check CHECK (anomalies >= 0),
    CONSTRAINT quality_runs_within_checks_check CHECK (anomalies <= checks_run),
    CONSTRAINT quality_runs_finished_at_check CHECK (finished_at >= started_at)
);
COMMENT ON TABLE quality_runs IS 'One run of the data-quality checks (shopdb quality): how many checks ran and how many found offending rows.';
CREATE INDEX quality_runs_started_at_idx ON quality_runs (started_at);
CREATE TRIGGER quality_runs_set_updated_at BEFORE UPDATE ON quality_runs
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE quality_anomalies (
    id              uuid        NOT NULL DEFAULT uuid_generate_v7(),
    run_id          uuid        NOT NULL,
    check_name      text        NOT NULL,
    offending_count bigint      NOT NULL,
    sample_ids      text[]      NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT quality_anomalies_pkey PRIMARY KEY (id),
    CONSTRAINT quality_anomalies_run_id_fkey FOREIGN KEY (run_id)
        REFERENCES quality_runs (id) ON DELETE CASCADE,
    CONSTRAINT quality_anomalies_run_id_check_name_key UNIQUE (run_id, check_name),
    CONSTRAINT quality_anomalies_check_name_check CHECK (check_name ~ '^[a-z][a-z0-9_]{0,62}$'),
    CONSTRAINT quality_anomalies_offending_count_check CHECK (offending_count > 0),
    CONSTRAINT quality_anomalies_sample_ids_check CHECK (cardinality(sample_ids) <= 20)
);
COMMENT ON TABLE quality_anomalies IS 'A data-quality check that found offending rows in a run: how many, and up to 20 of their ids.';
CREATE INDEX quality_anomalies_check_name_created_at_idx ON quality_anomalies (check_name, created_at);
CREATE TRIGGER quality_anomalies_set_updated_at BEFORE UPDATE ON quality_anomalies
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
