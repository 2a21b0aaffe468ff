create or replace view monitoring.allocator_status as
with q as (
    select
        count(*) filter (where next_attempt_at is null or next_attempt_at <= now()) as ready,
        count(*) filter (where next_attempt_at > now()) as waiting_retry
    from public.momo_sms_inbox
    where processed_at is null
),

job as (
    select *
    from public._monitoring_cron_jobs()
    where jobname = 'momo-allocator'
),

-- momo_allocator_pause() also stops running drains, assists and the HTTP trigger.
control as (
    select c.paused
    from public.momo_allocator_control as c
),

-- The latest pause or resume through the functions (shown only while paused).
last_switch as (
    select
        a.action,
        a.occurred_at,
        a.actor,
        a.reason
    from public.audit_log as a
    where
        a.entity = 'cron.job' and a.entity_id = 'momo-allocator'
        and a.action in ('momo_allocator_pause', 'momo_allocator_resume')
    order by a.id desc
    limit 1
)

select
    case
        when j.jobid is null then 'missing'
        when j.active and c.paused is not true then 'active'
        else 'paused'
    end as state,
    not j.active or c.paused is true as paused,
    j.jobid,
    j.schedule,
    j.command,
    p.occurred_at as paused_at,
    p.actor as paused_by,
    p.reason as pause_reason,
    j.last_run_status,
    j.last_run_started_at,
    j.last_run_ended_at,
    j.last_run_message,
    j.last_success_at,
    q.ready as inbox_ready,
    q.waiting_retry as inbox_waiting_retry
from q
left join job as j on true
left join control as c on true
left join last_switch as p
    on (not j.active or c.paused is true) and p.action = 'momo_allocator_pause';

comment on view monitoring.allocator_status is
'Is the allocator running? One row. state: active (the pg_cron job momo-allocator runs every '
'minute), paused (momo_allocator_pause(), which also stops running drains and the HTTP trigger, '
'or cron.alter_job switched it off) or missing (no such '
'job). paused: true/false (null when missing). jobid, schedule, command: the job. paused_at, '
'paused_by, pause_reason: who paused it, when and why (from audit_log; null when not paused or '
'paused outside momo_allocator_pause). last_run_status, last_run_started_at, last_run_ended_at, '
'last_run_message, last_success_at: its latest runs. inbox_ready: SMS it would take now; '
'inbox_waiting_retry: SMS waiting for their retry time after a failed attempt.';
