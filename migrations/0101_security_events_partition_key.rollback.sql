-- Undo 0101: drop the index without blocking writes (non-transactional, as 0101 is).
-- squawk-disable-assume-in-transaction
SET lock_timeout = '5s';
SET statement_timeout = '30min';
DROP INDEX CONCURRENTLY IF EXISTS security_events_id_created_at_key;
RESET statement_timeout;
RESET lock_timeout;
