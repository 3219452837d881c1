-- Undo 0087: the data-quality runs and their anomalies.
-- squawk-ignore-file ban-drop-table -- a rollback drops exactly what its migration created
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
DROP TABLE IF EXISTS quality_anomalies;
DROP TABLE IF EXISTS quality_runs;
