-- Queries slow on purpose, for the tests of the slow-query record (tests/observability/).

-- name: find_after_pause(email, seconds)^
-- The user with this email, returned after the server slept for this many seconds.
WITH pause AS (SELECT pg_sleep(:seconds))
SELECT u.id, u.email
  FROM users u, pause
 WHERE lower(u.email) = lower(:email);

-- name: count_failure_after_pause(id, seconds)!
-- Add one failed login to this user after the server slept for this many seconds.
UPDATE users
   SET failed_login_count = failed_login_count + 1
  FROM (SELECT pg_sleep(:seconds)) AS pause
 WHERE users.id = :id;

-- name: pause()$
-- Sleep for a quarter of a second, with no parameter at all.
SELECT pg_sleep(0.25)::text AS slept;
