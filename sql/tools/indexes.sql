-- The statements of `shopdb report --indexes` (shopdb.observability.indexes): index health
-- from the catalog and the statistics views of the current database.

-- name: unused_indexes()
-- Indexes never scanned since the statistics were reset, but those that hold a key or a unique rule; the largest first.
SELECT s.relname::text                                  AS table_name,
       s.indexrelname::text                             AS index_name,
       s.idx_scan::int8                                 AS scans,
       pg_relation_size(s.indexrelid)::int8             AS bytes
  FROM pg_stat_user_indexes s
  JOIN pg_index i ON i.indexrelid = s.indexrelid
 WHERE s.idx_scan = 0
   AND s.schemaname = ANY(current_schemas(false))
   AND NOT i.indisunique
   AND NOT i.indisprimary
   AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = s.indexrelid)
   AND NOT EXISTS (SELECT 1 FROM pg_inherits p WHERE p.inhrelid = s.indexrelid)
 ORDER BY pg_relation_size(s.indexrelid) DESC, 1, 2;

-- name: duplicate_indexes()
-- Sets of indexes of one table on the same columns, operator classes, expressions and predicate: all but one are waste.
SELECT t.relname::text                                                AS table_name,
       array_agg(c.relname::text ORDER BY c.relname)                 AS index_names,
       sum(pg_relation_size(i.indexrelid))::int8                      AS bytes
  FROM pg_index i
  JOIN pg_class c ON c.oid = i.indexrelid
  JOIN pg_class t ON t.oid = i.indrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace
 WHERE n.nspname = ANY(current_schemas(false))
   AND t.relkind IN ('r', 'p', 'm')
 GROUP BY t.relname, i.indrelid, i.indkey::text, i.indclass::text, i.indcollation::text,
          coalesce(pg_get_expr(i.indexprs, i.indrelid), ''), coalesce(pg_get_expr(i.indpred, i.indrelid), '')
HAVING count(*) > 1
 ORDER BY 1, 2;

-- name: invalid_indexes()
-- Indexes left INVALID (a failed CREATE INDEX CONCURRENTLY): not used by any plan, yet kept up to date by every write.
SELECT t.relname::text                                  AS table_name,
       c.relname::text                                  AS index_name,
       pg_relation_size(c.oid)::int8                    AS bytes
  FROM pg_index i
  JOIN pg_class c ON c.oid = i.indexrelid
  JOIN pg_class t ON t.oid = i.indrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace
 WHERE NOT i.indisvalid
   AND n.nspname = ANY(current_schemas(false))
 ORDER BY 1, 2;

-- name: largest_relations(limit)
-- The largest tables (with their indexes and TOAST) and indexes of the database.
SELECT c.relname::text                                  AS name,
       CASE WHEN c.relkind IN ('i', 'I') THEN 'index' ELSE 'table' END AS kind,
       CASE WHEN c.relkind IN ('i', 'I') THEN pg_relation_size(c.oid)
            ELSE pg_total_relation_size(c.oid) END::int8 AS bytes,
       greatest(c.reltuples, 0)::int8                   AS estimated_rows
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'i', 'm')
   AND n.nspname = ANY(current_schemas(false))
 ORDER BY 3 DESC, 1
 LIMIT :limit;
