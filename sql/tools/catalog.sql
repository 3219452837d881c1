-- The live catalog of the current schema, read by `shopdb schema-doc` (src/shopdb/schema_doc.py).
-- Partitions are left out (their names depend on the month they were created in), and so are
-- yoyo's bookkeeping tables (_yoyo_*, yoyo_lock).

-- name: tables()
-- Every table of the schema with its comment and, for a partitioned one, its partition key.
SELECT c.relname                                        AS table_name,
       obj_description(c.oid, 'pg_class')               AS comment,
       c.relkind = 'p'                                  AS partitioned,
       CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partition_key
  FROM pg_class c
 WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
   AND c.relkind IN ('r', 'p')
   AND NOT c.relispartition
   AND c.relname !~ '^_?yoyo'
 ORDER BY c.relname;

-- name: columns()
-- Every column of those tables in table order: type, nullability, default or generation, comment.
SELECT c.relname                                         AS table_name,
       a.attname                                         AS column_name,
       format_type(a.atttypid, a.atttypmod)              AS data_type,
       CASE WHEN t.typcategory = 'A' THEN e.typname || '[]' ELSE t.typname END AS short_type,
       a.attnotnull                                      AS not_null,
       CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END AS default_value,
       CASE WHEN a.attgenerated <> '' THEN pg_get_expr(d.adbin, d.adrelid) END AS generated,
       col_description(c.oid, a.attnum)                  AS comment
  FROM pg_class c
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  JOIN pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_type e ON e.oid = t.typelem
  LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
 WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
   AND c.relkind IN ('r', 'p')
   AND NOT c.relispartition
   AND c.relname !~ '^_?yoyo'
 ORDER BY c.relname, a.attnum;

-- name: constraints()
-- Every named constraint of those tables (p primary key, u unique, f foreign key, c check, x exclusion).
SELECT c.relname                       AS table_name,
       k.conname                       AS constraint_name,
       k.contype                       AS kind,
       pg_get_constraintdef(k.oid)     AS definition
  FROM pg_constraint k
  JOIN pg_class c ON c.oid = k.conrelid
 WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
   AND NOT c.relispartition
   AND c.relname !~ '^_?yoyo'
 ORDER BY c.relname, strpos('puxfc', k.contype::text), k.conname;

-- name: indexes()
-- Every index of those tables that does not back a constraint, with its definition.
SELECT c.relname                      AS table_name,
       i.relname                      AS index_name,
       pg_get_indexdef(x.indexrelid)  AS definition
  FROM pg_index x
  JOIN pg_class c ON c.oid = x.indrelid
  JOIN pg_class i ON i.oid = x.indexrelid
 WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
   AND NOT c.relispartition
   AND c.relname !~ '^_?yoyo'
   AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid AND k.conrelid = c.oid)
 ORDER BY c.relname, i.relname;

-- name: foreign_keys()
-- Each foreign key: child and parent tables, child columns, delete rule, and whether the child side is optional or one-to-one.
SELECT c.relname                                            AS table_name,
       k.conname                                            AS constraint_name,
       p.relname                                            AS parent_table,
       array_agg(a.attname ORDER BY u.ord)                  AS columns,
       k.confdeltype                                        AS on_delete,
       bool_and(a.attnotnull)                               AS required,
       EXISTS (SELECT 1
                 FROM pg_index x
                WHERE x.indrelid = k.conrelid AND x.indisunique AND x.indpred IS NULL
                  AND x.indnatts = cardinality(k.conkey) AND x.indkey::int2[] @> k.conkey) AS one_to_one
  FROM pg_constraint k
  JOIN pg_class c ON c.oid = k.conrelid
  JOIN pg_class p ON p.oid = k.confrelid
  CROSS JOIN LATERAL unnest(k.conkey) WITH ORDINALITY AS u (attnum, ord)
  JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum
 WHERE k.contype = 'f'
   AND c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
   AND NOT c.relispartition
 GROUP BY c.relname, k.conname, p.relname, k.confdeltype, k.conrelid, k.conkey
 ORDER BY c.relname, k.conname;

-- name: triggers()
-- Every user-defined trigger of those tables, with its definition.
SELECT c.relname                   AS table_name,
       t.tgname                    AS trigger_name,
       pg_get_triggerdef(t.oid)    AS definition
  FROM pg_trigger t
  JOIN pg_class c ON c.oid = t.tgrelid
 WHERE NOT t.tgisinternal
   AND c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
   AND NOT c.relispartition
 ORDER BY c.relname, t.tgname;

-- name: functions()
-- Every function of the schema with its arguments, result and comment.
SELECT p.proname                                   AS function_name,
       pg_get_function_identity_arguments(p.oid)   AS arguments,
       pg_get_function_result(p.oid)               AS result,
       obj_description(p.oid, 'pg_proc')           AS comment
  FROM pg_proc p
 WHERE p.pronamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
 ORDER BY p.proname, arguments;
