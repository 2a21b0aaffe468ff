create or replace function _queue_sample()
returns monitoring.queue_samples
language sql
set search_path = pg_catalog, public, pg_temp
as $$
    insert into monitoring.queue_samples (
        sampled_at, inbox_unprocessed, inbox_retrying, inbox_oldest_unprocessed_at,
        unmatched_open, unmatched_oldest_open_at
    )
    select
        now(), i.unprocessed, i.retrying, i.oldest_at, u.open_cases, u.oldest_at
    from (
        select
            count(*)::integer as unprocessed,
            (count(*) filter (where last_error is not null))::integer as retrying,
            min(ingested_at) as oldest_at
        from public.momo_sms_inbox
        where processed_at is null
    ) as i
    cross join (
        select count(*)::integer as open_cases, min(created_at) as oldest_at
        from public.momo_unmatched
        where status = 'open'
    ) as u
    on conflict (sampled_at) do nothing
    returning *;
$$;

comment on function _queue_sample() is
'Records the current queue sizes in monitoring.queue_samples; run every minute by the pg_cron '
'job monitoring-queue-sample.';
