-- Server-level statements for the `shopdb demo` command; run on the maintenance database.

-- name: database_exists(name)$
-- Whether a database of this name exists on the server.
SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = :name);

-- name: create_demo_database()#
-- Create the database the demo uses when no DATABASE_URL is given.
CREATE DATABASE shopdb_demo;
