-- Queries over the pg_stat_statements view: loaded only where the extension is installed
-- (`shopdb report`; `shopdb check` checks them there), so they live apart from sql/*.sql.

-- name: top_by_total_time(limit)
-- This database's statements that took the most execution time in all, by shopdb query name.
WITH statements AS (
    SELECT substring(s.query FROM '^/\* shopdb:([A-Za-z0-9_.]+) \*/') AS name,
           regexp_replace(s.query, '\s+', ' ', 'g')                 AS text,
           s.calls,
           s.total_exec_time,
           s.rows
      FROM pg_stat_statements s
     WHERE s.dbid = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
)
SELECT coalesce(name, left(text, 80))                           AS name,
       name IS NOT NULL                                         AS named,
       sum(calls)::int8                                         AS calls,
       sum(total_exec_time)::float8                             AS total_ms,
       (sum(total_exec_time) / nullif(sum(calls), 0))::float8   AS mean_ms,
       sum(rows)::int8                                          AS rows
  FROM statements
 GROUP BY coalesce(name, left(text, 80)), name IS NOT NULL
 ORDER BY total_ms DESC
 LIMIT :limit;
