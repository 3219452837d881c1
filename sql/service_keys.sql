-- Keys the service drew for itself in migrations (migration 0060). Read by Database.open.

-- name: cursor_key()$
-- The HMAC key of pagination cursors that every process of this database shares.
SELECT secret FROM service_keys WHERE name = 'cursor';
