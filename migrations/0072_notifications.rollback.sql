-- Undo 0072: notifications and their preferences.
-- squawk-ignore-file ban-drop-table -- a rollback drops exactly what its migration created
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
DROP TABLE IF EXISTS notification_preferences;
DROP TABLE IF EXISTS notifications;
