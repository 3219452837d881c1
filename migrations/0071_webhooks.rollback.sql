-- Undo 0071: the webhook endpoints, deliveries and attempts.
-- squawk-ignore-file ban-drop-table -- a rollback drops exactly what its migration created
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
DROP TABLE IF EXISTS webhook_attempts;
DROP TABLE IF EXISTS webhook_deliveries;
DROP TABLE IF EXISTS webhook_endpoints;
