-- Undo 0103: the bound NOT VALID again, as 0102 added it (a constraint cannot be
-- un-validated: it is dropped and added back with the same rule, NOT VALID: no scan).
-- squawk-ignore-file ban-drop-constraint -- added back in the same statement block
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
DO $$
DECLARE
    rule text := (SELECT pg_get_constraintdef(oid) FROM pg_constraint
                   WHERE conname = 'security_events_legacy_bound_check'
                     AND conrelid = 'security_events'::regclass);
BEGIN
    ALTER TABLE security_events DROP CONSTRAINT security_events_legacy_bound_check;
    EXECUTE format('ALTER TABLE security_events ADD CONSTRAINT security_events_legacy_bound_check %s NOT VALID', rule);
END
$$;
