create or replace view monitoring.cron_jobs as
select
    j.jobname,
    j.jobid,
    j.schedule,
    j.command,
    j.active,
    case
        when not j.active then 'paused'
        when j.last_run_status is null then 'never_run'
        when j.last_run_status in ('starting', 'connecting', 'sending', 'running') then 'running'
        when j.last_run_status = 'failed' then 'failing'
        else 'ok'
    end as health,
    j.last_run_status,
    j.last_run_started_at,
    j.last_run_ended_at,
    j.last_run_message,
    j.last_success_at,
    extract(epoch from now() - j.last_success_at)::bigint as last_success_age_seconds,
    j.last_failure_at,
    j.runs_last_24h,
    j.failures_last_24h
from public._monitoring_cron_jobs() as j
order by j.jobname, j.jobid;

comment on view monitoring.cron_jobs is
'pg_cron jobs of this database and how their runs went (from cron.job_run_details, kept for '
'MONITORING_CRON_HISTORY_RETENTION). jobname, jobid, schedule (cron syntax, GMT), command, '
'active. health: paused (not active), never_run, running (a run is in progress), failing (the '
'last run failed) or ok. last_run_status, last_run_started_at, last_run_ended_at, '
'last_run_message: the latest run. last_success_at, last_success_age_seconds: the latest '
'successful run and how long ago. last_failure_at: the latest failed run. runs_last_24h, '
'failures_last_24h: runs started in the last 24 hours and how many failed.';
