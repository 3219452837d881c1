-- Undo 0010: drop the audit log with all its partitions, and the partitioning function.
-- squawk-ignore-file ban-drop-table -- a rollback drops exactly what its migration created
-- squawk-ignore-file ban-drop-function -- the function exists only for this table
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
DROP FUNCTION audit_logs_create_partitions(integer, timestamptz);
DROP TABLE audit_logs;
