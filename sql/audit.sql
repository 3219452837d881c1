-- Audit log: who changed what, with the row before and after, in the month-partitioned
-- audit_logs. Rows are written by repositories (Repository._audited) in the same transaction
-- as the change they describe; created_at is the statement's clock so that entries written
-- in one transaction keep their order.

-- name: record(user_id, actor_type, action, entity, entity_id, before, after, ip_address, user_agent)<!
-- Append one audit entry and return it.
INSERT INTO audit_logs (user_id, actor_type, action, entity, entity_id, before, after,
                        ip_address, user_agent, created_at, updated_at)
VALUES (:user_id, :actor_type, :action, :entity, :entity_id,
        CAST(:before AS jsonb), CAST(:after AS jsonb), :ip_address, :user_agent,
        clock_timestamp(), clock_timestamp())
RETURNING id, user_id, actor_type, action, entity, entity_id, before, after, ip_address,
          user_agent, created_at;

-- name: history(entity, entity_id, after_created_at, after_id, limit)
-- One keyset page of the entries of one entity, newest first, after (created_at, id).
SELECT id, user_id, actor_type, action, entity, entity_id, before, after, ip_address,
       user_agent, created_at
  FROM audit_logs
 WHERE entity = :entity
   AND entity_id = :entity_id
   AND (created_at, id) < (:after_created_at, :after_id)
 ORDER BY created_at DESC, id DESC
 LIMIT :limit;

-- name: redact_for_user(user_id)!
-- An erasure's step (the user erased first): entries about the user keep the non-personal keys of its states, entries they acted in lose IP address and user agent.
UPDATE audit_logs
   SET before     = CASE WHEN entity = 'users' THEN audit_redacted(before) ELSE before END,
       after      = CASE WHEN entity = 'users' THEN audit_redacted(after) ELSE after END,
       ip_address = NULL,
       user_agent = NULL
 WHERE user_id = :user_id
    OR (entity = 'users' AND entity_id = CAST(:user_id AS text));

-- name: record_each(user_id, actor_type, action, entity, entity_ids, before, after, ip_address, user_agent)!
-- Append one audit entry per entity id, each with the same change (one batch of one kind), in the order of the ids.
INSERT INTO audit_logs (user_id, actor_type, action, entity, entity_id, before, after,
                        ip_address, user_agent, created_at, updated_at)
SELECT :user_id, :actor_type, :action, :entity, e.entity_id,
       CAST(:before AS jsonb), CAST(:after AS jsonb), :ip_address, :user_agent,
       clock_timestamp(), clock_timestamp()
  FROM unnest(CAST(:entity_ids AS text[])) WITH ORDINALITY AS e (entity_id, position)
 ORDER BY e.position;
