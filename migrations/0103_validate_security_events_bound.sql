-- Issue 19, point 4, online step 3 of 4: validate the bound of 0102, a scan under SHARE UPDATE
-- EXCLUSIVE, which lets reads and writes go on.
-- depends: 0102_security_events_bound
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '30min';
ALTER TABLE security_events VALIDATE CONSTRAINT security_events_legacy_bound_check;
