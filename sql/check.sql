-- The catalog lookups of `shopdb check` (src/shopdb/check/catalog.py). Each takes the names or
-- oids that the described queries mention and reads only the catalog: nothing is written.

-- name: types(oids)
-- Each of these type oids: its name, kind (b base, e enum, d domain, c composite), element and base type, enum labels.
SELECT t.oid::int8                                        AS oid,
       t.typname::text                                    AS name,
       t.typtype::text                                    AS kind,
       t.typcategory::text                                AS category,
       t.typelem::int8                                    AS element,
       t.typbasetype::int8                                AS base,
       ARRAY(SELECT e.enumlabel::text
               FROM pg_enum e
              WHERE e.enumtypid = t.oid
              ORDER BY e.enumsortorder)                   AS labels
  FROM pg_type t
 WHERE t.oid = ANY(:oids::oid[]);

-- name: relations(names)
-- Each of these table or view names as the search path resolves it: its oid (NULL when there is none).
SELECT n.name                                             AS name,
       to_regclass(n.name)::oid::int8                     AS oid
  FROM unnest(:names::text[]) AS n (name);

-- name: columns(oids)
-- Every live column of these tables and views, in table order, with its NOT NULL flag.
SELECT a.attrelid::int8                                   AS relation,
       a.attnum::int4                                     AS number,
       a.attname::text                                    AS name,
       a.attnotnull                                       AS not_null
  FROM pg_attribute a
 WHERE a.attrelid = ANY(:oids::oid[])
   AND a.attnum > 0
   AND NOT a.attisdropped
 ORDER BY a.attrelid, a.attnum;

-- name: existing_constraints(names)
-- Which of these names are a constraint (constraint triggers included), a trigger or an index on the search path.
SELECT n.name                                             AS name
  FROM unnest(:names::text[]) AS n (name)
 WHERE EXISTS (SELECT 1
                 FROM pg_constraint k
                 JOIN pg_namespace s ON s.oid = k.connamespace
                WHERE k.conname = n.name AND s.nspname = ANY(current_schemas(false)))
    OR EXISTS (SELECT 1
                 FROM pg_trigger g
                 JOIN pg_class c ON c.oid = g.tgrelid
                 JOIN pg_namespace s ON s.oid = c.relnamespace
                WHERE g.tgname = n.name AND s.nspname = ANY(current_schemas(false)))
    OR EXISTS (SELECT 1
                 FROM pg_class i
                 JOIN pg_namespace s ON s.oid = i.relnamespace
                WHERE i.relname = n.name AND i.relkind IN ('i', 'I')
                  AND s.nspname = ANY(current_schemas(false)));

-- name: writing_functions(names)
-- Which of these function names, on the search path outside pg_catalog, are VOLATILE (they may write).
SELECT DISTINCT p.proname::text                           AS name
  FROM pg_proc p
  JOIN pg_namespace s ON s.oid = p.pronamespace
 WHERE p.proname = ANY(:names::text[])
   AND p.provolatile = 'v'
   AND s.nspname = ANY(current_schemas(false))
   AND s.nspname <> 'pg_catalog';
