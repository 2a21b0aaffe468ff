create or replace view monitoring.queue_history as
select
    q.sampled_at,
    q.inbox_unprocessed,
    q.inbox_retrying,
    extract(epoch from q.sampled_at - q.inbox_oldest_unprocessed_at)::bigint
        as inbox_oldest_unprocessed_age_seconds,
    q.unmatched_open,
    extract(epoch from q.sampled_at - q.unmatched_oldest_open_at)::bigint
        as unmatched_oldest_open_age_seconds
from monitoring.queue_samples as q
where q.sampled_at > now() - interval '24 hours'
order by q.sampled_at desc;

comment on view monitoring.queue_history is
'Queue sizes sampled every minute over the last 24 hours, newest first (older samples are in '
'monitoring.queue_samples). sampled_at: when. inbox_unprocessed: SMS waiting for the allocator; '
'inbox_retrying: of those, failed attempts waiting to be retried; '
'inbox_oldest_unprocessed_age_seconds: how long the oldest had waited. unmatched_open: open '
'cases; unmatched_oldest_open_age_seconds: age of the oldest open case.';
