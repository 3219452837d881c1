-- The catalog lookups of `shopdb check` (src/shopdb/check/catalog.py), each kept per run. They
-- read only the catalog. Scalar parameters where a list would do: the wheel smoke test runs
-- every named query with sample values, and has none for oid[].

-- name: type_of(oid)^
-- The type of this oid: its name, kind (b base, e enum, d domain, c composite), element and base type, enum labels.
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
 WHERE t.oid = :oid::int8::oid;

-- name: relation(name)$
-- The oid of the table or view this name resolves to on the search path; NULL when there is none.
SELECT to_regclass(:name::text)::oid::int8;

-- name: columns(relation)
-- Every live column of this table or view, in table order, with its NOT NULL flag.
SELECT a.attnum::int4                                     AS number,
       a.attname::text                                    AS name,
       a.attnotnull                                       AS not_null
  FROM pg_attribute a
 WHERE a.attrelid = :relation::int8::oid
   AND a.attnum > 0
   AND NOT a.attisdropped
 ORDER BY a.attnum;

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
