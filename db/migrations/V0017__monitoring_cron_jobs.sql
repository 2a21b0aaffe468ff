-- The monitoring jobs. cron.schedule(name, ...) upserts by name, so this is
-- safe to re-run; databases without pg_cron (scratch copies) get no jobs.
do $$
begin
    if to_regnamespace('cron') is null then
        raise warning 'pg_cron is not installed in %: monitoring jobs are not scheduled',
            current_database();
        return;
    end if;
    -- Every minute: the queue sizes the inbox_backlog alert needs as history.
    perform cron.schedule(
        'monitoring-queue-sample', '* * * * *', 'select public._queue_sample()'
    );
    -- Daily at 02:17 GMT: trim cron.job_run_details and old queue samples.
    perform cron.schedule(
        'monitoring-history-trim', '17 2 * * *', 'select public._monitoring_history_trim()'
    );
end
$$;
