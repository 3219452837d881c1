-- Give the category loop rule a constraint of its own name. categories_set_hierarchy (0003)
-- refuses a move under the category's own descendant with CONSTRAINT
-- 'categories_parent_id_cycle_check', a name that was in no catalog: the repositories map
-- constraint names to domain errors (CategoryCycleError) and `shopdb check` requires each
-- name to exist. This CHECK is the one-row case of the rule (no category is its own parent);
-- the trigger, which runs first, keeps the longer loops out under the same name.
-- NOT VALID: no scan and only a brief lock; every row already keeps the rule, since the
-- trigger has refused a self-parent from the start, and every new write is checked.
-- depends: 0016_money_rules
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
ALTER TABLE categories ADD CONSTRAINT categories_parent_id_cycle_check
    CHECK (parent_id IS DISTINCT FROM id) NOT VALID;
COMMENT ON CONSTRAINT categories_parent_id_cycle_check ON categories IS
    'No category is its own parent; categories_set_hierarchy refuses longer loops under this name.';
