-- Queries over pg_cron's schema: loaded only where the extension is installed
-- (`shopdb partitions partman`; `shopdb check` checks them there).

-- name: schedule_partman_maintenance(schedule)<!
-- Run pg_partman's maintenance on this cron schedule (the job of that name is replaced); the job id.
SELECT cron.schedule('shopdb-partman-maintenance', :schedule::text, 'SELECT partman.run_maintenance()') AS job_id;
