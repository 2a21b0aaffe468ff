create or replace view monitoring.inbox_errors as
with classified as (
    select
        i.ingested_at,
        i.processed_at,
        left(i.last_error, 300) as error_text,
        coalesce(i.outcome, 'retrying') as state,
        case
            when i.last_error like 'error: %' then 'error'
            when i.last_error like 'dead_letter%' then 'dead_letter'
            else i.last_error
        end as reason
    from public.momo_sms_inbox as i
    where i.last_error is not null
)

select
    c.state,
    c.reason,
    c.error_text as last_error,
    count(*) as sms,
    min(c.ingested_at) as first_ingested_at,
    max(c.ingested_at) as last_ingested_at,
    max(c.processed_at) as last_processed_at
from classified as c
group by c.state, c.reason, c.error_text
order by sms desc, c.state asc, c.reason asc, c.error_text asc;

comment on view monitoring.inbox_errors is
'Inbox rows that carry a last_error, grouped by error. state: retrying (a failed attempt; the '
'allocator tries again at next_attempt_at) or the final outcome (unmatched, duplicate, skipped, '
'dead_letter). reason: the error kind (error for unexpected failures, dead_letter, or the reason '
'code such as profile_not_found, duplicate_txn, skipped_money_out). last_error: the text '
'(first 300 characters). sms: how many inbox rows. first_ingested_at, last_ingested_at: when '
'the first and the latest of them arrived. last_processed_at: the latest final decision among them.';
