create or replace view monitoring.overview as
with alerts as (
    select coalesce(array_agg(a.alert order by a.alert) filter (where a.firing), '{}') as firing
    from monitoring.alerts as a
),

allocator as (
    select
        s.state,
        s.paused_at,
        s.paused_by,
        s.pause_reason
    from monitoring.allocator_status as s
),

cron as (
    select
        coalesce(array_agg(c.jobname order by c.jobname) filter (where c.health = 'failing'), '{}')
            as failing
    from monitoring.cron_jobs as c
),

inbox as (
    select
        count(*) as unprocessed,
        count(*) filter (where last_error is not null) as retrying,
        extract(epoch from now() - min(ingested_at))::bigint as oldest_age_seconds
    from public.momo_sms_inbox
    where processed_at is null
),

unmatched as (
    select
        count(*) as open_cases,
        count(*) filter (where reason = 'dead_letter') as open_dead_letters,
        extract(epoch from now() - min(created_at))::bigint as oldest_age_seconds
    from public.momo_unmatched
    where status = 'open'
),

last_hour as (
    select
        (
            select count(*) from public.contributions_ledger
            where source = 'sms' and allocated_at > now() - interval '1 hour'
        ) as allocations,
        (
            select count(*) from public.momo_sms_inbox
            where
                processed_at > now() - interval '1 hour'
                and outcome in ('unmatched', 'dead_letter')
        ) as not_allocated
)

select
    now() as checked_at,
    case
        when
            cardinality(al.firing) > 0 or a.state <> 'active' or cardinality(c.failing) > 0
            or u.open_dead_letters > 0
            then 'attention'
        else 'ok'
    end as status,
    al.firing as alerts_firing,
    a.state as allocator_state,
    a.paused_at as allocator_paused_at,
    a.paused_by as allocator_paused_by,
    a.pause_reason as allocator_pause_reason,
    i.unprocessed as inbox_unprocessed,
    i.retrying as inbox_retrying,
    i.oldest_age_seconds as inbox_oldest_unprocessed_age_seconds,
    u.open_cases as unmatched_open,
    u.oldest_age_seconds as unmatched_oldest_open_age_seconds,
    u.open_dead_letters as dead_letters_open,
    h.allocations as allocations_last_hour,
    h.not_allocated as unmatched_last_hour,
    c.failing as cron_jobs_failing,
    case
        when a.state = 'missing'
            then
                'The pg_cron job momo-allocator does not exist: nothing allocates. '
                || 'Escalate to the lead.'
        when a.state = 'paused'
            then format(
                'The allocator is paused (%s). When the cause is fixed: '
                'select momo_allocator_resume(''<reason>''); Runbook: Incident response.',
                coalesce(a.pause_reason, 'paused outside momo_allocator_pause')
            )
        when 'momo-allocator' = any(c.failing)
            then
                'The allocator job is failing: see monitoring.cron_jobs (last_run_message). '
                || 'Runbook: Incident response.'
        when cardinality(c.failing) > 0
            then 'A pg_cron job is failing: see monitoring.cron_jobs (last_run_message).'
        when 'allocator_failing' = any(al.firing)
            then
                'The allocator fails as a whole (not because of one SMS): see '
                || 'monitoring.allocator_faults. Runbook: Allocator failing as a whole.'
        when 'inbox_backlog' = any(al.firing)
            then
                'The inbox backlog is high: see monitoring.alerts and monitoring.inbox_errors. '
                || 'Runbook: Queue backlog.'
        when 'suspected_forgery' = any(al.firing)
            then
                'An SMS that looked like a payment could not be shown genuine: see '
                || 'monitoring.suspected_forgeries. Runbook: Suspected forgeries.'
        when 'balance_gap' = any(al.firing)
            then
                'The gateway may have dropped an SMS: see monitoring.balance_gaps. '
                || 'Runbook: Balance gaps and held credits.'
        when u.open_dead_letters > 0
            then 'Dead letters are waiting: see monitoring.dead_letters. Runbook: Dead letters.'
        when al.firing && array['unmatched_open_cases', 'unmatched_case_age']
            then
                'Unmatched cases need a person: see monitoring.unmatched_open. '
                || 'Runbook: Unmatched cases.'
        when 'credit_wallets_overdrawn' = any(al.firing)
            then
                'A credit wallet is overdrawn by a late charge: see monitoring.wallet_reconciliation. '
                || 'Runbook: Campaign charged after its reservation was freed.'
        when cardinality(al.firing) > 0
            then 'An alert fires: see monitoring.alerts (action).'
        else 'Nothing to do.'
    end as next_step
from alerts as al
cross join allocator as a
cross join cron as c
cross join inbox as i
cross join unmatched as u
cross join last_hour as h;

comment on view monitoring.overview is
'Everything on one row: start here. checked_at: when read. status: ok, or attention when an '
'alert fires, the allocator is not active, a pg_cron job fails or dead letters are open. '
'alerts_firing: names of the firing rows of monitoring.alerts. allocator_state: active, paused '
'or missing (monitoring.allocator_status); allocator_paused_at, allocator_paused_by, '
'allocator_pause_reason: when, by whom and why it was paused. inbox_unprocessed, '
'inbox_retrying, inbox_oldest_unprocessed_age_seconds: the queue of the allocator. '
'unmatched_open, unmatched_oldest_open_age_seconds: open cases. dead_letters_open: open '
'dead_letter cases. allocations_last_hour: SMS allocated in the last hour; unmatched_last_hour: '
'SMS that ended unmatched or as dead letters in the last hour. cron_jobs_failing: pg_cron jobs '
'whose last run failed. next_step: the first thing to do.';
