-- Undo 0061: the two columns it added.
-- squawk-ignore-file ban-drop-column -- a rollback drops exactly the columns its migration added
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
ALTER TABLE users DROP COLUMN IF EXISTS erased_at;
ALTER TABLE users DROP COLUMN IF EXISTS suspended_when_deleted;
