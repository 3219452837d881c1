-- name: primary_lsn()$
-- The primary's WAL insert position in bytes, past every commit made so far (lag, tokens).
SELECT pg_current_wal_insert_lsn() - '0/0'::pg_lsn AS position;

-- name: replay_lsn()$
-- How far this standby has replayed the primary's WAL, in bytes (NULL on a primary).
SELECT pg_last_wal_replay_lsn() - '0/0'::pg_lsn AS position;
