create or replace view monitoring.error_rates as
select
    date_trunc('minute', i.processed_at) as minute,
    i.outcome,
    case
        when i.last_error like 'dead_letter%' then 'dead_letter'
        else i.last_error
    end as reason,
    count(*) as sms
from public.momo_sms_inbox as i
where
    i.processed_at >= date_trunc('minute', now()) - interval '59 minutes'
    and i.last_error is not null
group by 1, 2, 3
order by 1 desc, 4 desc, 2, 3;

comment on view monitoring.error_rates is
'Inbox rows the allocator finished without allocating, per minute and reason, over the last hour '
'(only minutes and reasons that occurred). minute: start of the minute the allocator decided '
'(processed_at). outcome: unmatched, duplicate, skipped or dead_letter. reason: the last_error '
'code (e.g. profile_not_found, duplicate_txn, skipped_money_out, dead_letter). sms: how many. '
'Rows still retrying after a failed attempt have no final time yet: see monitoring.inbox_errors.';
