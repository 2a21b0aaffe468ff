create or replace function _monitoring_history_trim()
returns jsonb
language plpgsql
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_samples bigint;
    v_runs bigint := 0::bigint;
begin
    delete from monitoring.queue_samples
    where sampled_at < now() - public._setting('MONITORING_QUEUE_SAMPLE_RETENTION')::interval;
    get diagnostics v_samples = row_count;
    if to_regclass('cron.job_run_details') is not null then
        -- Only finished runs: a run still going keeps its row.
        delete from cron.job_run_details
        where end_time < now() - public._setting('MONITORING_CRON_HISTORY_RETENTION')::interval;
        get diagnostics v_runs = row_count;
    end if;
    return jsonb_build_object('queue_samples_deleted', v_samples, 'cron_runs_deleted', v_runs);
end;
$$;

comment on function _monitoring_history_trim() is
'Deletes queue samples older than MONITORING_QUEUE_SAMPLE_RETENTION and pg_cron run history '
'(cron.job_run_details, which pg_cron never trims) older than MONITORING_CRON_HISTORY_RETENTION. '
'Run daily by the pg_cron job monitoring-history-trim; returns the numbers deleted.';
