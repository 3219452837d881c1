-- The queries of shopdb's observability tools (src/shopdb/observability/): they read the
-- catalog and settings only. The pg_stat_statements view is read by sql/extensions/.

-- name: extension_version(name)$
-- The installed version of this extension in the current database; None if it is not installed.
SELECT extversion FROM pg_extension WHERE extname = :name;

-- name: force_generic_plan()$
-- Plan prepared statements without their parameter values until the transaction or savepoint ends.
SELECT set_config('plan_cache_mode', 'force_generic_plan', true);
