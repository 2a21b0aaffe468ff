create or replace function _monitoring_cron_jobs()
returns table (
    jobid bigint,
    jobname text,
    schedule text,
    command text,
    active boolean,
    last_run_status text,
    last_run_started_at timestamptz,
    last_run_ended_at timestamptz,
    last_run_message text,
    last_success_at timestamptz,
    last_failure_at timestamptz,
    runs_last_24h bigint,
    failures_last_24h bigint
)
language plpgsql
stable
security definer
set search_path = pg_catalog, public, pg_temp
as $$
begin
    -- Databases without pg_cron (scratch copies) simply have no jobs.
    if to_regclass('cron.job') is null then
        return;
    end if;
    return query
    with runs as (
        select
            d.jobid,
            max(d.runid) as last_runid,
            max(d.end_time) filter (where d.status = 'succeeded') as last_success_at,
            max(d.end_time) filter (where d.status = 'failed') as last_failure_at,
            count(*) filter (where d.start_time > now() - interval '24 hours') as runs_last_24h,
            count(*) filter (
                where d.status = 'failed' and d.start_time > now() - interval '24 hours'
            ) as failures_last_24h
        from cron.job_run_details as d
        group by d.jobid
    )
    select
        j.jobid, j.jobname::text, j.schedule, j.command, j.active,
        l.status, l.start_time, l.end_time, left(l.return_message, 500),
        r.last_success_at, r.last_failure_at,
        coalesce(r.runs_last_24h, 0), coalesce(r.failures_last_24h, 0)
    from cron.job as j
    left join runs as r on r.jobid = j.jobid
    left join cron.job_run_details as l on l.runid = r.last_runid
    where j.database = current_database();
end;
$$;

comment on function _monitoring_cron_jobs() is
'pg_cron jobs of this database with their last run (cron.job_run_details), for the monitoring '
'views. Security definer: pg_cron''s tables are visible only to their owner (row security on '
'username). Returns no rows where pg_cron is not installed.';
