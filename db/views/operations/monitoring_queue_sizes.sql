create or replace view monitoring.queue_sizes as
with u as (
    select
        count(*) as open_cases,
        min(created_at) as oldest_at
    from public.momo_unmatched
    where status = 'open'
),

e as (
    select count(*) as rows_with_error
    from public.momo_sms_inbox
    where last_error is not null
)

select
    now() as checked_at,
    i.unprocessed as inbox_unprocessed,
    i.ready as inbox_ready,
    i.retrying as inbox_retrying,
    i.oldest_at as inbox_oldest_unprocessed_at,
    extract(epoch from now() - i.oldest_at)::bigint as inbox_oldest_unprocessed_age_seconds,
    u.open_cases as unmatched_open,
    u.oldest_at as unmatched_oldest_open_at,
    extract(epoch from now() - u.oldest_at)::bigint as unmatched_oldest_open_age_seconds,
    e.rows_with_error as inbox_rows_with_error
from (
    select
        count(*) as unprocessed,
        count(*) filter (where next_attempt_at is null or next_attempt_at <= now()) as ready,
        count(*) filter (where last_error is not null) as retrying,
        min(ingested_at) as oldest_at
    from public.momo_sms_inbox
    where processed_at is null
) as i
cross join u
cross join e;

comment on view monitoring.queue_sizes is
'Queue sizes now, one row. checked_at: when read. inbox_unprocessed: SMS waiting for the '
'allocator (processed_at null); inbox_ready: of those, the ones it may take now (not waiting '
'for a retry time); inbox_retrying: of those, the ones whose last attempt failed (last_error '
'set); inbox_oldest_unprocessed_at, inbox_oldest_unprocessed_age_seconds: when the oldest '
'waiting SMS arrived and how long ago. unmatched_open: open momo_unmatched cases; '
'unmatched_oldest_open_at, unmatched_oldest_open_age_seconds: when the oldest open case was '
'opened and how long ago. inbox_rows_with_error: inbox rows with any last_error (processed or '
'not), broken down in monitoring.inbox_errors.';
