-- Statements that only the toolkit tests run, against tables the tests create themselves.

-- name: insert_oversized(value)!
-- Insert a value too large for its btree index: the server refuses it (SQLSTATE 54000).
INSERT INTO probe_indexed (value) VALUES (:value);

-- name: count_probe()$
-- How many rows probe_indexed holds.
SELECT count(*) FROM probe_indexed;
