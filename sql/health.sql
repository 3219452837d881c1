-- name: ping()$
-- The server's version: one round trip that proves the connection works.
SELECT current_setting('server_version') AS server_version;
