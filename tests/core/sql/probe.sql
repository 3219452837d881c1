-- Statements that only the toolkit tests run, against tables the tests create themselves.

-- name: insert_oversized(value)!
-- Insert a value too large for its btree index: the server refuses it (SQLSTATE 54000).
INSERT INTO probe_indexed (value) VALUES (:value);

-- name: count_probe()$
-- How many rows probe_indexed holds.
SELECT count(*) FROM probe_indexed;

-- name: upsert_probe(key, value)!
-- Set the value of one key of probe_kv: running it twice leaves the same row.
INSERT INTO probe_kv (key, value) VALUES (:key, :value)
ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;

-- name: count_kv()$
-- How many rows probe_kv holds.
SELECT count(*) FROM probe_kv;

-- name: insert_and_die(key, value)!
-- Insert a row, then terminate its own backend before the statement ends: a write broken mid-way.
WITH inserted AS (INSERT INTO probe_kv (key, value) VALUES (:key, :value) RETURNING key)
SELECT pg_terminate_backend(pg_backend_pid()) FROM inserted;

-- name: put_kv(key, value)<!
-- Insert one key of probe_kv and return the stored row.
INSERT INTO probe_kv (key, value) VALUES (:key, :value) RETURNING key, value;

-- name: get_kv(key)^
-- One row of probe_kv, or none.
SELECT key, value FROM probe_kv WHERE key = :key;

-- name: list_kv()
-- Every row of probe_kv, by key.
SELECT key, value FROM probe_kv ORDER BY key;
