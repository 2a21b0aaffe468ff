create or replace view monitoring.dead_letters as
select
    i.id as inbox_id,
    i.received_at,
    i.ingested_at,
    i.ingest_source,
    i.processed_at as dead_lettered_at,
    i.attempts,
    i.last_error,
    u.id as case_id,
    u.status as case_status,
    u.resolution,
    u.resolved_at,
    u.resolved_by
from public.momo_sms_inbox as i
left join lateral (
    select
        c.id,
        c.status,
        c.resolution,
        c.resolved_at,
        c.resolved_by
    from public.momo_unmatched as c
    where c.inbox_id = i.id and c.reason = 'dead_letter'
    order by c.id desc
    limit 1
) as u on true
where i.outcome = 'dead_letter'
order by u.status = 'open' desc, i.processed_at desc;

comment on view monitoring.dead_letters is
'SMS the allocator gave up on after MOMO_ALLOCATOR_MAX_ATTEMPTS failed attempts, open cases '
'first, newest first. inbox_id: the momo_sms_inbox row. received_at, ingested_at, ingest_source: '
'when and from where it came. dead_lettered_at: when the allocator gave up. attempts, last_error: '
'how often it failed and the last error (dead_letter: <error>). case_id, case_status, resolution, '
'resolved_at, resolved_by: its momo_unmatched case (reason dead_letter) and how it was closed. '
'Fix the cause, then momo_sms_requeue(inbox_id, reason), or resolve the case with unmatched_resolve().';
