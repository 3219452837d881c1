-- Server-level statements for the `shopdb demo` command; run on the maintenance database
-- unless a query says otherwise.

-- name: database_exists(name)$
-- Whether a database of this name exists on the server.
SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = :name);

-- name: create_demo_database()#
-- Create the database the demo uses when no DATABASE_URL is given.
CREATE DATABASE shopdb_demo;

-- name: drop_demo_schema()!
-- Empty the demo's database (run on it, with create_demo_schema in one transaction).
DROP SCHEMA IF EXISTS public CASCADE;

-- name: create_demo_schema()!
-- The empty public schema of the demo's database, after drop_demo_schema.
CREATE SCHEMA public;
